// Upload with progress: enhances the document upload form of a request page. Without
// JavaScript the form posts as usual; with it, the file goes up by XMLHttpRequest so the
// page can show how much is sent, then the page reloads with the new document listed.
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var bar = document.getElementById('upload-progress');
  var status = document.getElementById('upload-status');
  form.addEventListener('submit', function (ev) {
    var file = form.querySelector('input[type=file]');
    if (!file || !file.files || !file.files.length) return; // the browser says what is missing
    ev.preventDefault();
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((e.loaded / e.total) * 100);
      bar.value = pct;
      status.textContent = form.dataset.progressLabel + ' ' + pct + ' %';
    });
    xhr.addEventListener('load', function () {
      if (xhr.status >= 200 && xhr.status < 400) {
        window.location.reload();
        return;
      }
      // The error page of the server, in the user's language: show its message here.
      var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
      var alert = doc.querySelector('.alert.error');
      status.textContent = alert ? alert.textContent.trim() : form.dataset.errorLabel;
      status.className = 'field-error';
      button.disabled = false;
      bar.hidden = true;
    });
    xhr.addEventListener('error', function () {
      status.textContent = form.dataset.errorLabel;
      button.disabled = false;
      bar.hidden = true;
    });
    xhr.send(new FormData(form));
  });
})();
