// Site-wide behaviour, in a file rather than inline handlers (onclick=...), which the content security
// policy refuses.
(function () {
  // A workspace form's "Close" button removes the form it sits in (forms arrive by htmx, so delegated).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-form]");
    if (button) button.closest("form").remove();
  });
})();
