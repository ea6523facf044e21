/* Echo on smartphones and PCs: the live counter of the post box. Feature phones get no script.
   Characters are counted as the server counts them (mobile_gateway/echo/text.py: clean_body,
   then count_chars): an emoji is one, whatever its code points (flags, keycaps, ZWJ sequences,
   skin tones). The page works without this script; the server stays the judge. */
(function () {
  "use strict";
  var BREAKS = /\r\n|[\n\r\t\v\f\x85\u2028\u2029]/g;
  var INVISIBLE = /[\0-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]|\p{Cs}/gu;
  var EXTENDS = /[\p{Mn}\p{Me}\p{Mc}\u{1F3FB}-\u{1F3FF}\u{E0020}-\u{E007F}]/u;
  var PICTOGRAPH = /[\p{So}\p{Extended_Pictographic}]/u;
  var FLAG_HALF = /[\u{1F1E6}-\u{1F1FF}]/u;
  var ZWJ = "\u200d";

  function count(text) {
    text = text.replace(BREAKS, " ").replace(INVISIBLE, "").trim();
    var n = 0, picture = false, joined = false, openFlag = false;
    for (var ch of text) {
      if (ch === ZWJ) {
        joined = picture; // joins two pictographs into one emoji; elsewhere it is removed
        continue;
      }
      if (joined && PICTOGRAPH.test(ch)) {
        joined = false;
        continue;
      }
      joined = false;
      if (n > 0 && EXTENDS.test(ch)) continue; // marks, selectors, skin tones, tags
      if (FLAG_HALF.test(ch)) {
        openFlag = !openFlag;
        if (!openFlag) continue; // the second half of a flag
      } else {
        openFlag = false;
      }
      picture = PICTOGRAPH.test(ch);
      n += 1;
    }
    return n;
  }

  function watch(box) {
    var out = document.getElementById(box.getAttribute("data-counter"));
    var most = parseInt(box.getAttribute("data-max"), 10);
    if (!out || !most) return;
    function update() {
      var n = count(box.value);
      out.textContent = n + "/" + most;
      out.classList.toggle("over", n > most);
      out.setAttribute("aria-label", n > most ? most + "文字を" + (n - most) + "文字こえています" : "あと" + (most - n) + "文字");
    }
    box.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("textarea[data-max]").forEach(watch);
})();
