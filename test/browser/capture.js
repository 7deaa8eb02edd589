// Injected first into the <head> of a copy of the report under test: records
// script errors, failed resource loads and console.error calls.
window.__probeErrors = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  window.__probeErrors.push(e.message || ('failed to load ' + (t && (t.src || t.href || t.tagName))));
}, true);
(function () {
  var original = console.error;
  console.error = function () {
    window.__probeErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    original.apply(console, arguments);
  };
})();
