// The event form on a phone: "now" on the device's clock, in its time zone, and its GPS position on request.
(function () {
  "use strict";
  var form = document.querySelector("form.event-form");
  if (!form) { return; }
  var when = form.querySelector("[name=occurred_at]");
  var zone = form.querySelector("[name=time_zone]");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var now = new Date();
  if (when && !when.value) {
    when.type = "datetime-local";
    when.value = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) + "T" +
      pad(now.getHours()) + ":" + pad(now.getMinutes());
  }
  // The device's own zone, when the list has it (the server chose the profile's otherwise).
  if (zone && window.Intl && Intl.DateTimeFormat) {
    var device = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (device && zone.querySelector('option[value="' + device + '"]')) { zone.value = device; }
  }
  var button = document.getElementById("use-location");
  if (button && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(6);
      });
    });
  }
}());
