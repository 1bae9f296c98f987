/* Article tools: the "In" (print) button is hidden in the page and shown only here, where a
   script can print; without scripts the browser's own print command does the same. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});
