// Live reload for `journal serve` (never part of a built site).
// Listens to the server's event stream for this page and, after each rebuild:
//   reload -> shows the page's new version, keeping the scroll position
//   gone   -> the page no longer exists: goes to the timeline
//   errors -> shows the build errors over the page (the last good page stays)
//   ok     -> removes that overlay
// The stream is closed while the tab is hidden (browsers allow few connections per
// host) and reopened when it is shown; the server then says what was missed.
//
// "Shows the new version": when the page runs no script of its own (an entry, the
// timeline, most pages), this script fetches the page and puts the new <body> in place
// of the old one. That skips a navigation: no blank frame, no unload, no stylesheet to
// apply again, and the scroll position simply stays. Anything that would make a swap
// differ from a reload (the page's scripts, which set themselves up once per load, or a
// <head> that changed, such as a new stylesheet) gets a real reload instead.
(() => {
  "use strict";
  const me = document.currentScript;
  const page = me.dataset.page;
  let epoch = me.dataset.epoch;
  const missing = me.dataset.missing;
  const scrollKey = "journal-serve-scroll:" + location.pathname;

  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const [x, y] = saved.split(",").map(Number);
    const restore = () => window.scrollTo(x, y);
    restore();
    // Again once images and fonts have their size, in case the page was short before.
    window.addEventListener("load", restore, { once: true });
  }

  let overlay = null;
  function showErrors(errors) {
    if (overlay === null) {
      if (!document.querySelector("link[data-journal-serve]")) {
        const css = document.createElement("link");
        css.rel = "stylesheet";
        css.href = "/__journal__/reload.css";
        css.dataset.journalServe = "";
        document.head.append(css);
      }
      overlay = document.createElement("section");
      overlay.className = "journal-serve-overlay";
      overlay.setAttribute("role", "alert");
      overlay.setAttribute("aria-labelledby", "journal-serve-overlay-title");
    }
    const title = document.createElement("h2");
    title.id = "journal-serve-overlay-title";
    title.textContent =
      errors.length === 1 ? "The last save has a problem" : `The last save has ${errors.length} problems`;
    const list = document.createElement("ul");
    for (const error of errors) {
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = error;
      item.append(code);
      list.append(item);
    }
    const note = document.createElement("p");
    note.textContent =
      "This page is the last version that built. Fix the file and save: this note goes away by itself.";
    overlay.replaceChildren(title, list, note);
    if (!overlay.isConnected) document.body.append(overlay);
  }
  function hideErrors() {
    if (overlay !== null) overlay.remove();
  }

  function reload() {
    sessionStorage.setItem(scrollKey, `${window.scrollX},${window.scrollY}`);
    location.reload();
  }

  // What must be equal for a swap to show what a reload would: the <html> element's
  // attributes and everything in <head> but the title (this script's own stylesheet
  // for the overlay aside).
  function frame(doc) {
    const html = [...doc.documentElement.attributes].map((a) => `${a.name}=${a.value}`);
    const head = [...doc.head.children].filter(
      (el) => el.tagName !== "TITLE" && !("journalServe" in el.dataset),
    );
    return JSON.stringify([html, head.map((el) => el.outerHTML)]);
  }
  // The page's own scripts: every script but this one.
  function ownScripts(doc) {
    return [...doc.scripts].filter((s) => !s.src.includes("/__journal__/"));
  }

  // Put the new version of this page (its HTML as served) in place of the shown one;
  // false when only a reload can show it as a reload would.
  function swap(text) {
    const next = new DOMParser().parseFromString(text, "text/html");
    const tag = next.querySelector("script[data-epoch]");
    if (tag === null || ownScripts(next).length > 0 || frame(next) !== frame(document)) {
      return false;
    }
    tag.remove();
    const [x, y] = [window.scrollX, window.scrollY];
    document.title = next.title;
    for (const { name } of [...document.body.attributes]) document.body.removeAttribute(name);
    for (const { name, value } of next.body.attributes) document.body.setAttribute(name, value);
    // This script's element goes back in, now naming the build the new body is from
    // (an element that has run never runs again).
    me.dataset.epoch = epoch = tag.dataset.epoch;
    document.body.replaceChildren(...next.body.childNodes, me);
    window.scrollTo(x, y);
    return true;
  }

  let updating = false;
  async function update() {
    updating = true;
    let text = null;
    if (missing !== "1" && ownScripts(document).length === 0) {
      try {
        const response = await fetch(location.href, { cache: "no-store" });
        if (response.ok && !response.redirected) text = await response.text();
      } catch {
        // The server went away (stopped or restarting): listen again; the stream
        // reconnects by itself and says what to do once the server is back.
        updating = false;
        connect();
        return;
      }
    }
    let swapped = false;
    try {
      swapped = text !== null && swap(text);
    } catch {
      swapped = false;
    }
    if (!swapped) return reload();
    updating = false;
    connect();
  }

  let source = null;
  let retry = null;
  function connect() {
    if (source !== null || updating || document.hidden) return;
    const query = new URLSearchParams({ page, epoch, missing });
    source = new EventSource("/__journal__/events?" + query);
    source.addEventListener("reload", () => {
      disconnect();
      update();
    });
    source.addEventListener("gone", (event) => {
      disconnect();
      location.assign(event.data);
    });
    source.addEventListener("errors", (event) => showErrors(JSON.parse(event.data)));
    source.addEventListener("ok", hideErrors);
    source.addEventListener("error", () => {
      // EventSource retries by itself while CONNECTING; once CLOSED it has given up
      // (the server answered with an error), so try again a little later.
      if (source !== null && source.readyState === EventSource.CLOSED) {
        disconnect();
        retry = setTimeout(connect, 1000);
      }
    });
  }
  function disconnect() {
    clearTimeout(retry);
    if (source !== null) source.close();
    source = null;
  }
  document.addEventListener("visibilitychange", () => (document.hidden ? disconnect() : connect()));
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", connect);
  connect();
})();
