/* A page that follows a job (the catalogue import): every 2 s, read the page again and put its
   progress section in place of ours, until the job is finished (the new section has no
   data-refresh). Without JavaScript, the page's <noscript> refresh does the same. */
(function () {
  "use strict";
  var selector = "#import-progress";

  function schedule(section) {
    var delay = parseInt(section.getAttribute("data-refresh"), 10);
    if (!delay || delay < 500) {
      return;
    }
    window.setTimeout(refresh, delay);
  }

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
        var current = document.querySelector(selector);
        if (!fresh || !current) {
          return;
        }
        current.replaceWith(fresh);
        if (fresh.hasAttribute("data-refresh")) {
          schedule(fresh);
        } else {
          window.location.reload(); // finished: the whole page shows the result and its links
        }
      })
      .catch(function () {
        window.setTimeout(refresh, 5000); // a lost connection: try again a little later
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector(selector);
    if (section) {
      schedule(section);
    }
  });
})();
