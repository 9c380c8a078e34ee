// The Print button of a page to print (the day list): shown only where scripts run, and opens the
// browser's print dialog. Without scripts the button stays hidden and the page says Ctrl+P.
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
