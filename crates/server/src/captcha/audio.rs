//! The audio CAPTCHA: the letters said in French (espeak-ng recordings in three voices,
//! `captcha-audio/make.sh`), and a rendering that changes at every challenge so that a script
//! comparing the sound with the recordings does not read it, while a person still does:
//! - each letter in a voice drawn at random, its speed and pitch moved together by up to
//!   −15 %/+18 %, its loudness by up to −5 dB, after a pause of random length;
//! - behind the letters, a babble of other letters played backwards (speech-like, but no
//!   letter a listener could take for one), 13 to 19 dB below them;
//! - and a rumbling noise whose loudness wanders, about 25 dB below them.
//!
//! The letters stay the loudest sounds, separated by pauses of at least 0.4 s, in a clear voice:
//! that is how a listener tells them from the background.

use rand::Rng;

const RATE: u32 = 11_025;

/// Every letter the CAPTCHA uses, with its recordings. The letters are chosen for French names
/// that do not sound alike ("bé" is the only one of the "-é" letters; no "emme"/"enne", no
/// "effe"/"esse").
const LETTERS: &[(char, [&[u8]; 3])] = &[
    (
        'a',
        [
            include_bytes!("../../captcha-audio/a-m1.wav"),
            include_bytes!("../../captcha-audio/a-f2.wav"),
            include_bytes!("../../captcha-audio/a-m4.wav"),
        ],
    ),
    (
        'b',
        [
            include_bytes!("../../captcha-audio/b-m1.wav"),
            include_bytes!("../../captcha-audio/b-f2.wav"),
            include_bytes!("../../captcha-audio/b-m4.wav"),
        ],
    ),
    (
        'e',
        [
            include_bytes!("../../captcha-audio/e-m1.wav"),
            include_bytes!("../../captcha-audio/e-f2.wav"),
            include_bytes!("../../captcha-audio/e-m4.wav"),
        ],
    ),
    (
        'f',
        [
            include_bytes!("../../captcha-audio/f-m1.wav"),
            include_bytes!("../../captcha-audio/f-f2.wav"),
            include_bytes!("../../captcha-audio/f-m4.wav"),
        ],
    ),
    (
        'h',
        [
            include_bytes!("../../captcha-audio/h-m1.wav"),
            include_bytes!("../../captcha-audio/h-f2.wav"),
            include_bytes!("../../captcha-audio/h-m4.wav"),
        ],
    ),
    (
        'j',
        [
            include_bytes!("../../captcha-audio/j-m1.wav"),
            include_bytes!("../../captcha-audio/j-f2.wav"),
            include_bytes!("../../captcha-audio/j-m4.wav"),
        ],
    ),
    (
        'k',
        [
            include_bytes!("../../captcha-audio/k-m1.wav"),
            include_bytes!("../../captcha-audio/k-f2.wav"),
            include_bytes!("../../captcha-audio/k-m4.wav"),
        ],
    ),
    (
        'm',
        [
            include_bytes!("../../captcha-audio/m-m1.wav"),
            include_bytes!("../../captcha-audio/m-f2.wav"),
            include_bytes!("../../captcha-audio/m-m4.wav"),
        ],
    ),
    (
        'q',
        [
            include_bytes!("../../captcha-audio/q-m1.wav"),
            include_bytes!("../../captcha-audio/q-f2.wav"),
            include_bytes!("../../captcha-audio/q-m4.wav"),
        ],
    ),
    (
        'r',
        [
            include_bytes!("../../captcha-audio/r-m1.wav"),
            include_bytes!("../../captcha-audio/r-f2.wav"),
            include_bytes!("../../captcha-audio/r-m4.wav"),
        ],
    ),
    (
        'u',
        [
            include_bytes!("../../captcha-audio/u-m1.wav"),
            include_bytes!("../../captcha-audio/u-f2.wav"),
            include_bytes!("../../captcha-audio/u-m4.wav"),
        ],
    ),
    (
        'w',
        [
            include_bytes!("../../captcha-audio/w-m1.wav"),
            include_bytes!("../../captcha-audio/w-f2.wav"),
            include_bytes!("../../captcha-audio/w-m4.wav"),
        ],
    ),
    (
        'x',
        [
            include_bytes!("../../captcha-audio/x-m1.wav"),
            include_bytes!("../../captcha-audio/x-f2.wav"),
            include_bytes!("../../captcha-audio/x-m4.wav"),
        ],
    ),
    (
        'y',
        [
            include_bytes!("../../captcha-audio/y-m1.wav"),
            include_bytes!("../../captcha-audio/y-f2.wav"),
            include_bytes!("../../captcha-audio/y-m4.wav"),
        ],
    ),
    (
        'z',
        [
            include_bytes!("../../captcha-audio/z-m1.wav"),
            include_bytes!("../../captcha-audio/z-f2.wav"),
            include_bytes!("../../captcha-audio/z-m4.wav"),
        ],
    ),
];

/// The CAPTCHA's alphabet: the letters that have recordings.
pub fn alphabet() -> Vec<char> {
    LETTERS.iter().map(|(c, _)| *c).collect()
}

fn decode(wav: &[u8]) -> Vec<f32> {
    hound::WavReader::new(wav)
        .map(|mut r| {
            r.samples::<i16>()
                .filter_map(Result::ok)
                .map(|s| f32::from(s) / 32768.0)
                .collect()
        })
        .unwrap_or_default()
}

/// The recordings of `letter` (one per voice).
pub fn recordings(letter: char) -> Vec<Vec<f32>> {
    LETTERS
        .iter()
        .find(|(c, _)| *c == letter)
        .map(|(_, voices)| voices.iter().map(|w| decode(w)).collect())
        .unwrap_or_default()
}

/// `sound` played `factor` times faster (pitch moved with it), by linear interpolation.
fn resample(sound: &[f32], factor: f32) -> Vec<f32> {
    let len = (sound.len() as f32 / factor) as usize;
    (0..len)
        .map(|i| {
            let at = i as f32 * factor;
            let j = at as usize;
            let frac = at - j as f32;
            let a = sound.get(j).copied().unwrap_or(0.0);
            let b = sound.get(j + 1).copied().unwrap_or(0.0);
            a + (b - a) * frac
        })
        .collect()
}

fn mix(into: &mut Vec<f32>, sound: &[f32], at: usize, gain: f32) {
    if into.len() < at + sound.len() {
        into.resize(at + sound.len(), 0.0);
    }
    for (i, s) in sound.iter().enumerate() {
        into[at + i] += s * gain;
    }
}

fn seconds(s: f32) -> usize {
    (s * RATE as f32) as usize
}

/// The challenge `answer` read aloud, rendered afresh with `rng`, as samples in −1..1.
pub fn render(answer: &str, rng: &mut impl Rng) -> Vec<f32> {
    let mut voice = Vec::new();
    let mut at = seconds(rng.gen_range(0.5..0.9));
    for letter in answer.chars() {
        let takes = recordings(letter);
        if takes.is_empty() {
            continue;
        }
        let take = &takes[rng.gen_range(0..takes.len())];
        let sound = resample(take, rng.gen_range(0.85..1.18));
        mix(&mut voice, &sound, at, rng.gen_range(0.56..1.0));
        at += sound.len() + seconds(rng.gen_range(0.4..0.95));
    }
    let total = at + seconds(0.3);
    voice.resize(total, 0.0);

    // The babble: three streams of letters played backwards, each at its own level.
    let all: Vec<char> = alphabet();
    for _ in 0..3 {
        let gain = rng.gen_range(0.11..0.22);
        let mut pos = rng.gen_range(0..seconds(0.4));
        while pos < total {
            let takes = recordings(all[rng.gen_range(0..all.len())]);
            let mut sound = resample(
                &takes[rng.gen_range(0..takes.len())],
                rng.gen_range(0.8..1.3),
            );
            sound.reverse();
            let room = total - pos;
            sound.truncate(room);
            mix(&mut voice, &sound, pos, gain);
            pos += sound.len() + seconds(rng.gen_range(0.0..0.25));
        }
    }

    // The rumble: brown noise (white noise summed, leaking back to zero) whose level wanders.
    let (mut brown, mut level) = (0.0f32, rng.gen_range(0.03..0.06));
    for sample in voice.iter_mut() {
        brown = brown * 0.98 + rng.gen_range(-1.0f32..1.0) * 0.2;
        level = (level + rng.gen_range(-0.0005f32..0.0005)).clamp(0.02, 0.08);
        *sample += brown * level;
    }
    let peak = voice.iter().fold(0.0f32, |m, s| m.max(s.abs())).max(1e-6);
    voice.iter_mut().for_each(|s| *s *= 0.9 / peak);
    voice
}

/// Samples in −1..1 as a 16-bit mono WAV.
pub fn wav(samples: &[f32]) -> Result<Vec<u8>, String> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut out, spec).map_err(|e| e.to_string())?;
        for s in samples {
            writer
                .write_sample((s.clamp(-1.0, 1.0) * 32767.0) as i16)
                .map_err(|e| e.to_string())?;
        }
        writer.finalize().map_err(|e| e.to_string())?;
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod solver {
    //! A script's attack on the audio CAPTCHA: cut the sound where it is loudest into as many
    //! pieces as there are letters, describe each piece by its spectrum over time, and name it
    //! after the nearest recording (all three voices, each at three speeds, as an attacker who
    //! has the service's binary can make them), by dynamic time warping.

    use super::*;
    use rand::SeedableRng;

    const N: usize = 256;
    const BANDS: usize = 12;

    struct Spectra {
        cos: Vec<f32>,
        sin: Vec<f32>,
        window: Vec<f32>,
        bands: Vec<(usize, usize)>,
    }

    impl Spectra {
        fn new() -> Self {
            let half = N / 2;
            let mut cos = vec![0.0; N * half];
            let mut sin = vec![0.0; N * half];
            for k in 0..half {
                for n in 0..N {
                    let a = 2.0 * std::f32::consts::PI * (k * n) as f32 / N as f32;
                    cos[k * N + n] = a.cos();
                    sin[k * N + n] = a.sin();
                }
            }
            let window = (0..N)
                .map(|n| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * n as f32 / N as f32).cos())
                .collect();
            // Log-spaced bands from bin 2 (86 Hz) to 128 (5.5 kHz).
            let edges: Vec<usize> = (0..=BANDS)
                .map(|b| (2.0f32 * 64.0f32.powf(b as f32 / BANDS as f32)).round() as usize)
                .collect();
            let bands = edges
                .windows(2)
                .map(|w| (w[0], w[1].max(w[0] + 1)))
                .collect();
            Self {
                cos,
                sin,
                window,
                bands,
            }
        }

        /// Log band energies of each frame, each frame centred (loudness does not count).
        fn features(&self, sound: &[f32]) -> Vec<[f32; BANDS]> {
            let mut out = Vec::new();
            let mut at = 0;
            while at + N <= sound.len() {
                let frame: Vec<f32> = (0..N).map(|n| sound[at + n] * self.window[n]).collect();
                let mut f = [0.0f32; BANDS];
                for (b, (lo, hi)) in self.bands.iter().enumerate() {
                    let mut e = 1e-9;
                    for k in *lo..(*hi).min(N / 2) {
                        let (mut re, mut im) = (0.0, 0.0);
                        let (c, s) = (&self.cos[k * N..(k + 1) * N], &self.sin[k * N..(k + 1) * N]);
                        for n in 0..N {
                            re += frame[n] * c[n];
                            im += frame[n] * s[n];
                        }
                        e += re * re + im * im;
                    }
                    f[b] = e.ln();
                }
                let mean = f.iter().sum::<f32>() / BANDS as f32;
                f.iter_mut().for_each(|x| *x -= mean);
                out.push(f);
                at += N;
            }
            out
        }
    }

    fn dtw(a: &[[f32; BANDS]], b: &[[f32; BANDS]]) -> f32 {
        if a.is_empty() || b.is_empty() {
            return f32::MAX;
        }
        let d = |x: &[f32; BANDS], y: &[f32; BANDS]| {
            x.iter()
                .zip(y)
                .map(|(p, q)| (p - q) * (p - q))
                .sum::<f32>()
                .sqrt()
        };
        let mut prev = vec![f32::MAX; b.len() + 1];
        prev[0] = 0.0;
        for x in a {
            let mut cur = vec![f32::MAX; b.len() + 1];
            for (j, y) in b.iter().enumerate() {
                let best = prev[j].min(prev[j + 1]).min(cur[j]);
                cur[j + 1] = d(x, y) + best;
            }
            prev = cur;
        }
        prev[b.len()] / (a.len() + b.len()) as f32
    }

    /// The `count` loudest stretches of the sound, in time order.
    fn segments(sound: &[f32], count: usize) -> Vec<&[f32]> {
        let frames: Vec<f32> = sound
            .chunks(N / 2)
            .map(|c| (c.iter().map(|s| s * s).sum::<f32>() / c.len() as f32).sqrt())
            .collect();
        let max = frames.iter().cloned().fold(0.0, f32::max);
        let mut best: Vec<(usize, usize)> = Vec::new();
        for step in 1..40 {
            let threshold = max * (1.0 - step as f32 * 0.025);
            let mut runs: Vec<(usize, usize)> = Vec::new();
            let mut start = None;
            for (i, e) in frames.iter().enumerate() {
                match (start, *e >= threshold) {
                    (None, true) => start = Some(i),
                    (Some(s), false) => {
                        runs.push((s, i));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                runs.push((s, frames.len()));
            }
            // Join pieces of one letter (gaps under 70 ms); drop clicks (under 50 ms).
            let mut joined: Vec<(usize, usize)> = Vec::new();
            for r in runs {
                match joined.last_mut() {
                    Some(last) if r.0 - last.1 <= 6 => last.1 = r.1,
                    _ => joined.push(r),
                }
            }
            joined.retain(|(s, e)| e - s >= 4);
            if joined.len() >= count {
                best = joined;
                break;
            }
            best = joined;
        }
        best.sort_by_key(|(s, e)| std::cmp::Reverse(e - s));
        best.truncate(count);
        best.sort();
        // Each piece grows to the quiet around it (a consonant is softer than its vowel).
        let mut sorted = frames.clone();
        sorted.sort_by(f32::total_cmp);
        let floor = sorted[sorted.len() / 2] * 2.0;
        for (s, e) in best.iter_mut() {
            let peak = frames[*s..*e].iter().cloned().fold(0.0, f32::max);
            let quiet = (peak * 0.05).max(floor);
            // A stop's closure is a short silence inside the letter: look past up to 90 ms.
            while let Some(k) = (1..=8)
                .take_while(|k| *s >= *k)
                .find(|k| frames[*s - k] > quiet)
            {
                *s -= k;
            }
            while let Some(k) = (0..8)
                .take_while(|k| *e + k < frames.len())
                .find(|k| frames[*e + k] > quiet)
            {
                *e += k + 1;
            }
        }
        best.iter()
            .map(|(s, e)| &sound[s * N / 2..(e * N / 2).min(sound.len())])
            .collect()
    }

    struct Solver {
        spectra: Spectra,
        templates: Vec<(char, Vec<[f32; BANDS]>)>,
    }

    impl Solver {
        fn new() -> Self {
            let spectra = Spectra::new();
            let mut templates = Vec::new();
            for letter in alphabet() {
                for take in recordings(letter) {
                    for factor in [0.88, 1.0, 1.14] {
                        templates.push((letter, spectra.features(&resample(&take, factor))));
                    }
                }
            }
            Self { spectra, templates }
        }

        fn read(&self, sound: &[f32], letters: usize) -> String {
            segments(sound, letters)
                .into_iter()
                .map(|piece| {
                    let f = self.spectra.features(piece);
                    self.templates
                        .iter()
                        .map(|(c, t)| (*c, dtw(&f, t)))
                        .min_by(|a, b| a.1.total_cmp(&b.1))
                        .map_or('?', |(c, _)| c)
                })
                .collect()
        }
    }

    fn answer(rng: &mut impl Rng) -> String {
        let all = alphabet();
        (0..6).map(|_| all[rng.gen_range(0..all.len())]).collect()
    }

    /// The same letters without the variation: one voice, its own speed, fixed pauses, silence
    /// around (what the service sent before).
    fn plain(answer: &str) -> Vec<f32> {
        let mut out = vec![0.0; seconds(0.6)];
        for letter in answer.chars() {
            out.extend(recordings(letter).remove(0));
            out.extend(vec![0.0; seconds(0.6)]);
        }
        out
    }

    /// 100 fresh challenges: the solver reads plain recordings (so it is a real attacker), and
    /// reads at most 5 % of the CAPTCHAs the service sends.
    #[test]
    fn a_template_solver_reads_at_most_5_percent_of_the_challenges() {
        let solver = Solver::new();
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
        let (mut plain_solved, mut solved, mut letters_right, mut plain_letters) = (0, 0, 0, 0);
        let challenges = 100;
        // CAPTCHA_SAMPLE=file.wav keeps one rendering, to listen to or to look at.
        if let Some(path) = std::env::var_os("CAPTCHA_SAMPLE") {
            std::fs::write(path, wav(&render("bhkqwx", &mut rng)).unwrap()).unwrap();
        }
        for _ in 0..challenges {
            let answer = answer(&mut rng);
            let plain_read = solver.read(&plain(&answer), 6);
            plain_letters += plain_read
                .chars()
                .zip(answer.chars())
                .filter(|(a, b)| a == b)
                .count();
            if plain_read == answer {
                plain_solved += 1;
            }
            let read = solver.read(&render(&answer, &mut rng), 6);
            letters_right += read
                .chars()
                .zip(answer.chars())
                .filter(|(a, b)| a == b)
                .count();
            if read == answer {
                solved += 1;
            }
        }
        eprintln!(
            "audio CAPTCHA, template solver over {challenges} challenges: plain recordings {plain_solved} % solved \
             ({:.0} % of letters); rendered {solved} % solved ({:.0} % of letters)",
            plain_letters as f32 / (6 * challenges) as f32 * 100.0,
            letters_right as f32 / (6 * challenges) as f32 * 100.0
        );
        // Against the letters as they were sent before (fixed recordings, fixed pauses) it reads
        // most sequences: an attacker worth the name.
        assert!(
            plain_solved >= 50,
            "the solver is too weak to mean anything: {plain_solved} %"
        );
        assert!(solved <= 5, "{solved} % of the CAPTCHAs read by a script");
    }
}
