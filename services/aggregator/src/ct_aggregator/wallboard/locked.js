// The wallboard answered 401: retry once with the token this tab kept, else explain.
"use strict";
(function () {
  const KEY = "ct-read-token";
  const params = new URLSearchParams(window.location.search);
  const saved = window.sessionStorage.getItem(KEY);
  if (!params.has("token") && saved) {
    window.location.replace("/wallboard?token=" + encodeURIComponent(saved));
    return;
  }
  if (params.has("token")) {
    window.sessionStorage.removeItem(KEY); // it was refused: forget it
  }
  document.getElementById("locked").hidden = false;
})();
