#!/bin/sh
# The letters of the audio CAPTCHA, said in French by espeak-ng (Debian package `espeak-ng`,
# with `sox`) in three voices, 11 025 Hz mono 16-bit. Run again only to change the recordings:
# the service embeds the files (src/captcha/audio.rs) and varies them at every challenge.
set -eu
cd "$(dirname "$0")"
for letter in a b e f h j k m q r u w x y z; do
    for voice in fr+m1 fr+f2 fr+m4; do
        espeak-ng -v "$voice" -s 120 -w /tmp/captcha-letter.wav "$letter"
        sox /tmp/captcha-letter.wav -r 11025 -c 1 -b 16 "$letter-${voice#fr+}.wav" \
            silence 1 0.01 1% reverse silence 1 0.01 1% reverse norm -1
    done
done
rm -f /tmp/captcha-letter.wav
