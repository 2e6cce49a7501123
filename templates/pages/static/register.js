// Registration: signs the challenge in the browser with the applicant's PKCS#12 key
// (window.RuqsatSign from sign.js; the key stays in the browser) and puts the detached CMS,
// base64, in the form's `signature` field before the form is sent. Without JavaScript the
// applicant uploads a CMS made with `ruqsat sign --payload challenge.txt --out sig.p7s`.
(function () {
  'use strict';
  var form = document.getElementById('register-form');
  if (!form || !window.RuqsatSign || !window.RuqsatSign.canSign || !window.RuqsatSign.canSign()) return;
  var section = form.querySelector('[data-role="sign-in-browser-section"]');
  var p12 = form.querySelector('[data-role="p12"]');
  var pw = form.querySelector('[data-role="p12-password"]');
  var out = form.querySelector('input[name="signature"]');
  var cms = form.querySelector('input[name="cms"]');
  var status = form.querySelector('[data-role="sign-status"]');
  if (section) section.hidden = false;
  var say = function (key) {
    status.textContent = form.getAttribute('data-msg-' + key) || form.getAttribute('data-msg-failed');
    status.setAttribute('data-state', key === 'signing' ? 'busy' : 'error');
  };
  var toBase64 = function (buf) {
    var bytes = new Uint8Array(buf), s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  };
  form.addEventListener('submit', function (ev) {
    if (out.value || (cms && cms.files && cms.files.length)) return;
    ev.preventDefault();
    if (!p12.files || !p12.files.length) { say('no-file'); return; }
    say('signing');
    var challenge = new TextEncoder().encode(form.querySelector('input[name="challenge"]').value);
    p12.files[0].arrayBuffer()
      .then(function (bytes) { return window.RuqsatSign.signDetached(bytes, pw.value, challenge.buffer); })
      .then(function (der) {
        out.value = toBase64(der);
        status.textContent = '';
        form.submit();
      })
      .catch(function (e) { say(e && e.code ? e.code : 'failed'); });
  });
})();
