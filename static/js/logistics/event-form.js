// The event form on a phone: "now" in the device's time zone, and its GPS position on request.
(function () {
  "use strict";
  var form = document.querySelector("form.event-form");
  if (!form) { return; }
  var when = form.querySelector("[name=occurred_at]");
  var offset = form.querySelector("[name=utc_offset]");
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  var now = new Date();
  if (when && !when.value) {
    when.type = "datetime-local";
    when.value = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) + "T" +
      pad(now.getHours()) + ":" + pad(now.getMinutes());
  }
  if (offset) {
    var minutes = -now.getTimezoneOffset();
    var sign = minutes >= 0 ? "+" : "-";
    var local = sign + pad(Math.floor(Math.abs(minutes) / 60)) + ":" + pad(Math.abs(minutes) % 60);
    var option = offset.querySelector('option[value="' + local + '"]');
    if (!option) {
      option = document.createElement("option");
      option.value = local;
      option.textContent = "UTC" + local;
      offset.appendChild(option);
    }
    offset.value = local;
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
