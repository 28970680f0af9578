/* Opens a page of an encrypted journal (the format is described in journal_site/encrypt.py).
 *
 * The key is derived from the password with PBKDF2-HMAC-SHA256 (WebCrypto), checked by
 * decrypting this page (AES-GCM refuses a wrong key), and kept as raw bytes in
 * sessionStorage, so the other pages of this tab open without asking again.
 *
 * After the real page is in place, the scripts it names are loaded in order; when they
 * run the content is already there (document.readyState is "complete"). Then
 * `journal:decrypted` is dispatched on document (and <html> gets data-journal-ready). Scripts fetch encrypted files (the
 * search index) through window.journalSealed.fetchJSON / fetchText / fetchBytes.
 */
(function () {
  "use strict";

  var STORE = "journal-site:key";
  var SEALED_FILE = /\/f\/[0-9a-f]{32}\.bin$/;
  var MAGIC = "JSE1";
  var sealed = document.getElementById("journal-sealed");
  if (!sealed) {
    return;
  }
  var form = document.getElementById("unlock-form");
  var input = document.getElementById("unlock-password");
  var status = document.getElementById("unlock-status");
  var salt = sealed.getAttribute("data-salt");
  var base = sealed.getAttribute("data-base") || "/";
  var iterations = parseInt(sealed.getAttribute("data-iterations"), 10);
  var subtle = window.crypto && window.crypto.subtle;

  function fromBase64(text) {
    var binary = atob(text);
    var out = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      out[i] = binary.charCodeAt(i);
    }
    return out;
  }

  function toBase64(buffer) {
    var view = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < view.length; i++) {
      binary += String.fromCharCode(view[i]);
    }
    return btoa(binary);
  }

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("unlock-error", Boolean(isError));
  }

  function gunzip(buffer) {
    var stream = new Blob([buffer]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  function aesKey(raw) {
    return subtle.importKey("raw", raw, "AES-GCM", false, ["decrypt"]);
  }

  // Every page and file is sealed with associated data: the build's salt and the
  // address it is published at, relative to the site (journal_site/encrypt.py,
  // `binding`). Both are taken from where this tab found it, never from what it says
  // of itself, so a page or file moved to another address, or from another build,
  // does not open.
  function binding(address) {
    var where = new TextEncoder().encode(address);
    var bytes = fromBase64(salt);
    var out = new Uint8Array(bytes.length + where.length);
    out.set(bytes, 0);
    out.set(where, bytes.length);
    return out;
  }

  // "/journal/p/1a2b.../index.html" -> "p/1a2b.../" (with data-base "/journal/");
  // null for an address outside the site or one that cannot be decoded.
  function siteAddress(pathname, isPage) {
    var path;
    try {
      path = decodeURIComponent(pathname);
    } catch (error) {
      return null;
    }
    if (isPage) {
      if (/\/index\.html$/.test(path)) {
        path = path.slice(0, -"index.html".length);
      } else if (!/\/$/.test(path) && !/\.[^\/]*$/.test(path)) {
        path += "/"; // a host that serves /wins/ at /wins
      }
    }
    return path.indexOf(base) === 0 ? path.slice(base.length) : null;
  }

  function decrypt(key, nonce, data, address) {
    if (address === null) {
      return Promise.reject(new Error("not an address of this journal"));
    }
    return subtle
      .decrypt({ name: "AES-GCM", iv: nonce, additionalData: binding(address) }, key, data)
      .then(gunzip);
  }

  function deriveRaw(password) {
    var secret = new TextEncoder().encode(password.normalize("NFC"));
    return subtle
      .importKey("raw", secret, "PBKDF2", false, ["deriveBits"])
      .then(function (material) {
        return subtle.deriveBits(
          { name: "PBKDF2", hash: "SHA-256", salt: fromBase64(salt), iterations: iterations },
          material,
          256
        );
      });
  }

  function storedKey() {
    var item = null;
    try {
      item = JSON.parse(sessionStorage.getItem(STORE) || "null");
    } catch (error) {
      item = null;
    }
    // A key from another build (another salt) cannot open this one.
    return item && item.salt === salt ? fromBase64(item.key) : null;
  }

  function remember(raw) {
    sessionStorage.setItem(STORE, JSON.stringify({ salt: salt, key: toBase64(raw) }));
  }

  function forget() {
    sessionStorage.removeItem(STORE);
  }

  function openPage(key) {
    var nonce = fromBase64(sealed.getAttribute("data-nonce"));
    var data = fromBase64(sealed.textContent.trim());
    return decrypt(key, nonce, data, siteAddress(location.pathname, true))
      .catch(function () {
        // A host serves its not-found page at any missing address; that page alone
        // is sealed for "404.html" rather than for an address of its own.
        return decrypt(key, nonce, data, "404.html");
      })
      .then(function (plain) {
        return new TextDecoder().decode(plain);
      });
  }

  // ---- encrypted files: images, charts, the search index

  function fileOpener(key) {
    function fetchFile(url) {
      var resolved = new URL(url, document.baseURI);
      var address = resolved.origin === location.origin
        ? siteAddress(resolved.pathname, false)
        : null;
      return fetch(resolved.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("could not load " + url + ": " + response.status);
          }
          return response.arrayBuffer();
        })
        .then(function (buffer) {
          var blob = new Uint8Array(buffer);
          var head = new TextDecoder().decode(blob.subarray(0, 4));
          if (head !== MAGIC) {
            throw new Error(url + " is not an encrypted journal file");
          }
          return decrypt(key, blob.subarray(4, 16), blob.subarray(16), address);
        })
        .then(function (plain) {
          var bytes = new Uint8Array(plain);
          var newline = bytes.indexOf(10);
          return {
            type: new TextDecoder().decode(bytes.subarray(0, newline)),
            bytes: bytes.subarray(newline + 1),
          };
        });
    }
    return {
      fetchBytes: fetchFile,
      fetchText: function (url) {
        return fetchFile(url).then(function (file) {
          return new TextDecoder().decode(file.bytes);
        });
      },
      fetchJSON: function (url) {
        return this.fetchText(url).then(JSON.parse);
      },
    };
  }

  function isSealedFile(value) {
    try {
      var url = new URL(value, document.baseURI);
      return url.origin === location.origin && SEALED_FILE.test(url.pathname);
    } catch (error) {
      return false;
    }
  }

  var MEDIA = [
    ["img, source, video, audio, track, embed, iframe", "src"],
    ["img, source", "srcset"],
    ["video", "poster"],
    ["object", "data"],
  ];

  // Before the page goes live, park the addresses of encrypted media so the browser
  // does not fetch ciphertext as if it were an image.
  function parkMedia(doc) {
    MEDIA.forEach(function (pair) {
      doc.querySelectorAll(pair[0]).forEach(function (element) {
        var value = element.getAttribute(pair[1]);
        if (value && value.split(",").some(function (part) {
          return isSealedFile(part.trim().split(/\s+/)[0]);
        })) {
          element.setAttribute("data-sealed-" + pair[1], value);
          element.removeAttribute(pair[1]);
        }
      });
    });
  }

  function openMedia(files) {
    var cache = {};
    function blobUrl(url) {
      if (!cache[url]) {
        cache[url] = files.fetchBytes(url).then(function (file) {
          return URL.createObjectURL(new Blob([file.bytes], { type: file.type }));
        });
      }
      return cache[url];
    }
    MEDIA.forEach(function (pair) {
      var name = pair[1];
      document.querySelectorAll("[data-sealed-" + name + "]").forEach(function (element) {
        var parts = element.getAttribute("data-sealed-" + name).split(",");
        Promise.all(
          parts.map(function (part) {
            var bits = part.trim().split(/\s+/);
            if (!isSealedFile(bits[0])) {
              return Promise.resolve(part.trim());
            }
            return blobUrl(bits[0]).then(function (url) {
              return [url].concat(bits.slice(1)).join(" ");
            });
          })
        ).then(function (values) {
          element.setAttribute(name, values.join(", "));
          element.removeAttribute("data-sealed-" + name);
        });
      });
    });
    // A link to an encrypted file (a PDF, a full-size photo) opens its decrypted copy.
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (link && isSealedFile(link.getAttribute("href"))) {
        event.preventDefault();
        blobUrl(new URL(link.getAttribute("href"), document.baseURI).pathname).then(
          function (url) {
            location.assign(url);
          }
        );
      }
    });
  }

  // ---- putting the page in place

  function loadScript(src) {
    return new Promise(function (resolve) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;
      script.onload = resolve;
      script.onerror = resolve;
      document.body.appendChild(script);
    });
  }

  function addLockButton() {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "journal-lock";
    button.textContent = "Lock";
    button.setAttribute("aria-label", "Lock the journal: forget the password in this tab");
    button.addEventListener("click", function () {
      forget();
      location.reload();
    });
    var row = document.querySelector(".site-header .header-row");
    if (row) {
      row.appendChild(button);
    } else {
      document.body.insertBefore(button, document.body.firstChild);
    }
  }

  // The element the address's #fragment names, or null; a malformed fragment
  // (#%E0, which decodeURIComponent refuses) names nothing rather than stopping the page.
  function fragmentTarget() {
    if (!location.hash) {
      return null;
    }
    try {
      return document.getElementById(decodeURIComponent(location.hash.slice(1)));
    } catch (error) {
      return null;
    }
  }

  function show(html, files, moveFocus) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.title = doc.title;
    if (doc.documentElement.lang) {
      document.documentElement.lang = doc.documentElement.lang;
    }
    doc.head.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var href = link.getAttribute("href");
      var present = Array.prototype.some.call(
        document.querySelectorAll('link[rel="stylesheet"]'),
        function (own) {
          return own.getAttribute("href") === href;
        }
      );
      if (!present) {
        document.head.appendChild(document.importNode(link, true));
      }
    });
    var scripts = [];
    doc.querySelectorAll("script").forEach(function (script) {
      if (script.getAttribute("src")) {
        scripts.push(script.getAttribute("src"));
      }
      script.remove();
    });
    parkMedia(doc);
    document.body.className = doc.body.className;
    document.body.replaceChildren.apply(
      document.body,
      Array.prototype.map.call(doc.body.childNodes, function (node) {
        return document.importNode(node, true);
      })
    );
    document.documentElement.setAttribute("data-journal-unlocked", "");
    window.journalSealed = files;
    addLockButton();
    openMedia(files);
    var target = fragmentTarget();
    if (target) {
      target.scrollIntoView();
    }
    if (moveFocus) {
      var main = document.getElementById("main");
      if (main) {
        main.focus();
      }
    }
    return scripts.reduce(function (done, src) {
      return done.then(function () {
        return loadScript(src);
      });
    }, Promise.resolve()).then(function () {
      document.documentElement.setAttribute("data-journal-ready", "");
      document.dispatchEvent(new CustomEvent("journal:decrypted"));
    });
  }

  function askForPassword() {
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var password = input.value;
      if (!password) {
        return;
      }
      say("Unlocking…", false);
      form.querySelector("button").disabled = true;
      deriveRaw(password)
        .then(function (raw) {
          return aesKey(raw).then(function (key) {
            return openPage(key).then(function (html) {
              return { raw: raw, key: key, html: html };
            });
          });
        })
        .then(
          function (opened) {
            remember(opened.raw);
            return show(opened.html, fileOpener(opened.key), true);
          },
          function () {
            // AES-GCM refused the key: the password is wrong. Nothing of the page is shown.
            input.value = "";
            form.querySelector("button").disabled = false;
            say("That password does not open this journal. Please try again.", true);
            input.focus();
          }
        );
    });
  }

  // A page restored from the back/forward cache after "Lock" must not stay readable.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.documentElement.hasAttribute("data-journal-unlocked")
        && !storedKey()) {
      location.reload();
    }
  });

  if (!subtle || typeof DecompressionStream === "undefined") {
    form.hidden = true;
    var note = document.createElement("p");
    note.className = "unlock-note";
    note.textContent =
      "This browser cannot decrypt the journal (it needs WebCrypto over HTTPS or " +
      "localhost, and DecompressionStream). Try a current Firefox, Chrome or Safari.";
    sealed.parentNode.insertBefore(note, sealed);
    return;
  }

  var raw = storedKey();
  if (raw) {
    aesKey(raw).then(function (key) {
      return openPage(key).then(
        function (html) {
          return show(html, fileOpener(key), false);
        },
        function () {
          forget();
          askForPassword();
        }
      );
    });
  } else {
    askForPassword();
  }
})();
