// Search in the browser, offline: one index file written at build time, fetched once.
// The page works as a plain form too: /search/?q=word searches as soon as it loads.
(function () {
  "use strict";

  // The one place a file of the index is read (the manifest search/index.json and each
  // yearly shard it names). A protected site swaps this for a loader that decrypts the
  // file; everything below only needs the parsed object back.
  function loadIndex(url) {
    if (window.journalSealed) return window.journalSealed.fetchJSON(url);
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error("the search index could not be loaded (" + response.status + ")");
      return response.json();
    });
  }

  var MAX_RESULTS = 100;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var form = document.querySelector(".search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  if (!form || !input || !list) return;
  var base = form.getAttribute("data-base") || "/";
  var records = null;
  var loading = null;

  // Lower-case and without accents, so "cafe" finds "Café".
  var NOT_ASCII = /[^\x00-\x7f]/;
  function fold(text) {
    // Most text is plain ASCII: skipping normalize() there makes preparing a big index
    // several times faster.
    if (!NOT_ASCII.test(text)) return text.toLowerCase();
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function prepare(rows) {
    return rows.map(function (row) {
      var lines = row[3] ? row[3].split("\n") : [];
      return {
        url: row[0],
        title: row[1],
        tags: row[2] ? row[2].split(" ") : [],
        lines: lines,
        snippet: row[4],
        day: row[6] || "",
        fTitle: fold(row[1]),
        fTags: fold(row[2]).split(" "),
        fLines: lines.map(fold),
        fRest: fold(row[4] + " " + row[5])
      };
    });
  }

  function ensureIndex() {
    if (!loading) {
      var manifestUrl = form.getAttribute("data-index");
      var folder = manifestUrl.slice(0, manifestUrl.lastIndexOf("/") + 1);
      loading = loadIndex(manifestUrl).then(function (manifest) {
        // Shards are fetched in parallel and kept in the manifest's order (newest year first).
        return Promise.all(manifest.shards.map(function (name) { return loadIndex(folder + name); }));
      }).then(function (shards) {
        records = prepare([].concat.apply([], shards.map(function (shard) { return shard.e; })));
        return records;
      });
    }
    return loading;
  }

  function terms(query) {
    return fold(query).split(/\s+/).filter(Boolean);
  }

  // Every term must match somewhere; "#tag" matches tags only. Title hits weigh most.
  function score(record, words) {
    var total = 0;
    for (var i = 0; i < words.length; i += 1) {
      var word = words[i];
      if (word.charAt(0) === "#") {
        var tag = word.slice(1);
        if (!tag || record.fTags.indexOf(tag) === -1) return 0;
        total += 3;
        continue;
      }
      var best = 0;
      if (record.fTitle.indexOf(word) !== -1) best = 4;
      else if (record.fTags.indexOf(word) !== -1) best = 3;
      else if (record.fLines.some(function (line) { return line.indexOf(word) !== -1; })) best = 2;
      else if (record.fRest.indexOf(word) !== -1) best = 1;
      if (!best) return 0;
      total += best;
    }
    return total;
  }

  function dateOf(record) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(record.day);
    return m ? { iso: m[1] + "-" + m[2] + "-" + m[3], text: Number(m[3]) + " " + MONTHS[Number(m[2]) - 1] + " " + m[1] } : null;
  }

  function snippetOf(record, words) {
    for (var i = 0; i < record.lines.length; i += 1) {
      for (var j = 0; j < words.length; j += 1) {
        if (words[j].charAt(0) !== "#" && record.fLines[i].indexOf(words[j]) !== -1) return record.lines[i];
      }
    }
    return record.snippet || record.lines[0] || "";
  }

  // Wrap matches in <mark> with DOM nodes only: entry text never becomes HTML.
  function highlighted(text, words) {
    var fragment = document.createDocumentFragment();
    var folded = fold(text);
    var plain = words.filter(function (w) { return w.charAt(0) !== "#"; });
    var at = 0;
    // Folding keeps one character per character for the scripts journals use, so
    // positions found in the folded text hold in the original.
    var sameLength = folded.length === text.length;
    while (sameLength && plain.length) {
      var next = -1;
      var length = 0;
      plain.forEach(function (w) {
        var found = folded.indexOf(w, at);
        if (found !== -1 && (next === -1 || found < next)) { next = found; length = w.length; }
      });
      if (next === -1) break;
      fragment.appendChild(document.createTextNode(text.slice(at, next)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + length);
      fragment.appendChild(mark);
      at = next + length;
    }
    fragment.appendChild(document.createTextNode(text.slice(at)));
    return fragment;
  }

  function render(query) {
    var words = terms(query);
    list.textContent = "";
    if (!words.length) {
      status.textContent = records.length + " entries to search.";
      return;
    }
    var hits = [];
    records.forEach(function (record, order) {
      var s = score(record, words);
      if (s) hits.push({ record: record, score: s, order: order });
    });
    // Best matches first; among equals, newest first (the index is newest first).
    hits.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    hits.slice(0, MAX_RESULTS).forEach(function (hit) {
      var r = hit.record;
      var item = document.createElement("li");
      item.className = "search-result";
      var heading = document.createElement("h2");
      heading.className = "card-title";
      var link = document.createElement("a");
      link.href = base + r.url;
      link.appendChild(highlighted(r.title, words));
      heading.appendChild(link);
      item.appendChild(heading);
      var date = dateOf(r);
      if (date) {
        var meta = document.createElement("p");
        meta.className = "card-meta";
        var time = document.createElement("time");
        time.setAttribute("datetime", date.iso);
        time.textContent = date.text;
        meta.appendChild(time);
        if (r.tags.length) {
          var tags = document.createElement("span");
          tags.className = "search-tags";
          tags.textContent = "#" + r.tags.join(" #");
          meta.appendChild(tags);
        }
        item.appendChild(meta);
      }
      var snippet = document.createElement("p");
      snippet.className = "search-snippet";
      snippet.appendChild(highlighted(snippetOf(r, words), words));
      item.appendChild(snippet);
      list.appendChild(item);
    });
    // Lets a benchmark read when results were on the page (benchmarks/search_load.py).
    if (window.performance && performance.mark) performance.mark("journal-search-results");
    var count = hits.length;
    status.textContent = count === 0
      ? "Nothing found for “" + query.trim() + "”. Try fewer or shorter words."
      : (count === 1 ? "1 entry" : count + " entries") + " found" +
        (count > MAX_RESULTS ? "; showing the best " + MAX_RESULTS + ". Add a word to narrow it down." : ".");
  }

  function run(query, remember) {
    if (remember) {
      var address = query.trim() ? "?q=" + encodeURIComponent(query.trim()) : window.location.pathname;
      window.history.replaceState(null, "", address);
    }
    if (records) { render(query); return; }
    status.textContent = "Loading the index…";
    ensureIndex().then(function () { render(input.value); }, function (error) {
      status.textContent = "Search is not available: " + error.message + ".";
    });
  }

  var timer = null;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { run(input.value, true); }, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    run(input.value, true);
  });

  var initial = new URLSearchParams(window.location.search).get("q") || "";
  if (initial) {
    input.value = initial;
    run(initial, false);
  } else {
    // Fetch the index while the person types their first word.
    ensureIndex().catch(function () {});
  }
})();
