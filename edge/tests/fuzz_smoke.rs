//! The fuzz harnesses of `fuzz/` (every parser of untrusted input), run in the suite: each over
//! its seeds in `fuzz/seeds/TARGET/` and a few thousand mutations of them from a fixed seed, so a
//! run is fast and repeatable. The long runs use libFuzzer (`cargo +nightly fuzz run TARGET`,
//! README "Fuzzing"); this catches regressions on every `cargo test`.
//!
//! `FUZZ_SMOKE_RUNS=N` changes the number of mutations per target (default 3000).

#[path = "../../fuzz/src/lib.rs"]
mod harness;

use std::path::Path;

/// xorshift64*: deterministic, dependency-free, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Fragments that reach deep into the parsers: JSON structure, the protocol's words, limits,
/// and the characters the domain types refuse.
const DICTIONARY: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "\"",
    ":",
    ",",
    "null",
    "true",
    "-1",
    "1e400",
    "18446744073709551616",
    "\"type\":\"send\"",
    "\"type\":\"hello\"",
    "\"client_id\":\"c_0123456789ab\"",
    "\"note\":true",
    "\"kind\":\"agent\"",
    "\\u0000",
    "\\ud800",
    "\u{202E}",
    "\u{2066}",
    "<img src=x onerror=alert(1)>",
    "javascript:",
    "https://",
    "http://",
    "?utm_source=x&",
    "#",
    "@",
    "?",
    "&",
    "..",
    "*.",
    ":8443",
    "::",
    ".",
    "v1.",
    "v2.",
    "__Host-pvx_session=",
    ";",
    "=",
    "é",
    "😀",
    "\t",
    "\n",
    "Chrome/",
    "9999999999999999999999",
];

fn mutate(rng: &mut Rng, input: &[u8], seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] = [0, 0x7f, 0xff, b'"', b'\\', b'{', b'.', b' '][rng.below(8)];
            }
            2 => {
                let word = DICTIONARY[rng.below(DICTIONARY.len())].as_bytes();
                out.splice(at..at, word.iter().copied());
            }
            3 if !out.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(out.len());
                out.drain(at.min(end)..end);
            }
            4 if !out.is_empty() => {
                // Repeat a slice many times: long strings and deep nesting.
                let end = (at + 1 + rng.below(8)).min(out.len());
                let piece = out[at.min(end)..end].to_vec();
                for _ in 0..rng.below(600) {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            5 => {
                // Splice in part of another seed.
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                out.splice(at..at, other[from..].iter().take(1 + rng.below(64)).copied());
            }
            _ => out.truncate(at),
        }
    }
    out
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    files.sort();
    files.iter().map(|path| std::fs::read(path).expect("a seed file")).collect()
}

#[test]
fn every_parser_survives_its_seeds_and_their_mutations() {
    let runs: usize = std::env::var("FUZZ_SMOKE_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(3000);
    for (name, target) in harness::TARGETS {
        let seeds = seeds(name);
        assert!(!seeds.is_empty(), "{name} has seeds");
        let mut rng = Rng(0x5eed_0f_f022 ^ name.len() as u64);
        for seed in &seeds {
            target(seed);
        }
        for run in 0..runs {
            let input = mutate(&mut rng, &seeds[run % seeds.len()], &seeds);
            let outcome = std::panic::catch_unwind(|| target(&input));
            assert!(outcome.is_ok(), "{name} panicked on {:?}", String::from_utf8_lossy(&input));
        }
    }
}
