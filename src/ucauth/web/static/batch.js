// Batch check of an uploaded file of citizen IDs: the file is read here, its IDs (first CSV
// column; blank lines and a header skipped) go to the server in parts, with progress, and the
// server's CSV lines are joined into one results file to download.
"use strict";
(function () {
  var box = document.querySelector("[data-batch]");
  if (!box) return;
  var fileInput = box.querySelector("[data-batch-file]");
  var start = box.querySelector("[data-batch-start]");
  var bar = box.querySelector("[data-batch-progress]");
  var status = box.querySelector("[data-batch-status]");
  var download = box.querySelector("[data-batch-download]");
  var counts = box.querySelector("[data-batch-counts]");
  var size = Number(box.dataset.size) || 500;

  function ids(text) {
    var found = [];
    text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/).forEach(function (line, index) {
      var first = line.split(",")[0].replace(/"/g, "").trim();
      if (first === "" || (index === 0 && !/^[0-9]+$/.test(first))) return;
      found.push([index + 1, first.slice(0, 32)]);
    });
    return found;
  }
  function say(key, done, total) {
    status.textContent = status.dataset["text" + key].replace("{done}", done).replace("{total}", total);
  }
  fileInput.addEventListener("change", function () {
    start.disabled = !fileInput.files.length;
    download.hidden = true;
  });
  start.addEventListener("click", function () {
    var file = fileInput.files[0];
    if (!file) return;
    start.disabled = true;
    download.hidden = true;
    file.text().then(function (text) {
      var items = ids(text);
      if (!items.length) { say("Empty", 0, 0); start.disabled = false; return; }
      var header = "", rows = [], done = 0, statuses = { found: 0, not_found: 0, invalid_cid: 0 };
      counts.hidden = true;
      bar.hidden = false; bar.max = items.length; bar.value = 0;
      say("Running", 0, items.length);
      function next() {
        if (done >= items.length) {
          var blob = new Blob(["\uFEFF" + header + rows.join("")], { type: "text/csv;charset=utf-8" });
          download.href = URL.createObjectURL(blob);
          download.hidden = false;
          start.disabled = false;
          say("Done", done, items.length);
          counts.textContent = counts.dataset.text.replace(/\{(\w+)\}/g, function (_, key) { return statuses[key] || 0; });
          counts.hidden = false;
          return;
        }
        var part = items.slice(done, done + size);
        fetch("/search/batch", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": box.dataset.csrf },
          body: JSON.stringify({ lines: part.map(function (i) { return i[0]; }), pids: part.map(function (i) { return i[1]; }) })
        }).then(function (response) {
          if (!response.ok || response.redirected) throw new Error(String(response.status));
          return response.json();
        }).then(function (answer) {
          header = answer.header;
          rows.push(answer.rows);
          Object.keys(answer.statuses).forEach(function (key) { statuses[key] = (statuses[key] || 0) + answer.statuses[key]; });
          done += part.length;
          bar.value = done;
          say("Running", done, items.length);
          next();
        }).catch(function () {
          say("Failed", done, items.length);
          start.disabled = false;
        });
      }
      next();
    });
  });
})();
