// Wins wall: filter the cards by tag without reloading the page.
// Without JavaScript every tag link leads to the tag's own page, which lists its wins.
// The chosen tag is kept in the address (#tag=<slug>) so a reload or a shared link keeps it.
(function () {
  "use strict";
  var nav = document.querySelector(".tag-filter");
  var wall = document.getElementById("wall");
  if (!nav || !wall) return;
  var chips = Array.prototype.slice.call(nav.querySelectorAll("a.chip"));
  var cards = Array.prototype.slice.call(wall.querySelectorAll(".win-card"));
  var extras = Array.prototype.slice.call(wall.querySelectorAll(".celebration"));
  var months = Array.prototype.slice.call(wall.querySelectorAll(".wall-month"));
  var status = nav.querySelector(".filter-status");
  var empty = document.querySelector(".filter-empty");

  function apply(slug) {
    var shown = 0;
    cards.forEach(function (card) {
      var tags = (card.getAttribute("data-tags") || "").split(" ");
      var match = !slug || tags.indexOf(slug) !== -1;
      card.hidden = !match;
      if (match) shown += 1;
    });
    // Milestones count every win, so they only make sense on the unfiltered wall.
    extras.forEach(function (item) { item.hidden = Boolean(slug); });
    months.forEach(function (month) {
      month.hidden = !month.querySelector(".win-card:not([hidden]), .celebration:not([hidden])");
    });
    chips.forEach(function (chip) {
      if (chip.getAttribute("data-tag") === slug) {
        chip.setAttribute("aria-current", "true");
        var more = chip.closest("details");
        if (more) more.open = true;
      } else {
        chip.removeAttribute("aria-current");
      }
    });
    if (status) {
      status.textContent = slug
        ? shown + (shown === 1 ? " win" : " wins") + " tagged #" + labelOf(slug) + " on this page."
        : "";
    }
    if (empty) empty.hidden = shown > 0;
  }

  function labelOf(slug) {
    for (var i = 0; i < chips.length; i += 1) {
      if (chips[i].getAttribute("data-tag") === slug) {
        return chips[i].firstChild.textContent.replace(/^#/, "").trim();
      }
    }
    return slug;
  }

  function fromHash() {
    var match = /(?:^#|&)tag=([^&]*)/.exec(window.location.hash);
    var slug = "";
    try {
      slug = match ? decodeURIComponent(match[1]) : "";
    } catch (error) {
      return ""; // a malformed address (#tag=%E0) chooses no tag
    }
    var known = chips.some(function (chip) { return chip.getAttribute("data-tag") === slug; });
    return known ? slug : "";
  }

  chips.forEach(function (chip) {
    chip.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) {
        return; // let "open in a new tab" go to the tag's page
      }
      event.preventDefault();
      var slug = chip.getAttribute("data-tag") || "";
      var target = slug ? "#tag=" + encodeURIComponent(slug) : window.location.pathname;
      window.history.replaceState(null, "", target);
      apply(slug);
    });
  });
  window.addEventListener("hashchange", function () { apply(fromHash()); });
  apply(fromHash());
})();
