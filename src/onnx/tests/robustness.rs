//! Robustness: truncated, random and mutated inputs must give errors, never panics.

use super::*;
use crate::onnx::{Dim, OnnxModel};

/// A fixed-seed 64-bit LCG (Knuth's MMIX constants); the high bits are the output.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: usize) -> usize {
        self.next() as usize % n
    }
}

/// Parses and, if that works, exercises every reader and rewrite on the result.
fn exercise(bytes: &[u8]) -> bool {
    let Ok(m) = OnnxModel::parse(bytes) else {
        return false;
    };
    for init in m.initializers() {
        let _ = m.decode_f32(init);
    }
    let _ = m.last_initializer_f32();
    let _ = m.without_initializer_inputs();
    let mut r = m.rewrite().drop_initializer_inputs();
    if let Some(input) = m.inputs().first() {
        r = r.input_dims(
            input.name.clone(),
            vec![Dim::Fixed(1), Dim::Param("H".into()), Dim::Unknown],
        );
    }
    if let Some(output) = m.outputs().last() {
        r = r.output_dims(output.name.clone(), vec![]);
    }
    if let Ok(out) = r.finish() {
        OnnxModel::parse(&out).expect("a rewrite of a parsed model must parse");
    }
    true
}

#[test]
fn every_truncated_prefix_is_handled() {
    let bytes = Sample::default().build();
    assert!(exercise(&bytes));
    let mut parsed = 0;
    for len in 0..bytes.len() {
        parsed += usize::from(exercise(&bytes[..len]));
    }
    // Only prefixes ending on a top-level field boundary after the graph can parse.
    assert!(parsed <= 2, "{parsed} truncated prefixes parsed");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Lcg(0x5eed_d0e1);
    for _ in 0..3000 {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        exercise(&bytes);
    }
}

#[test]
fn mutated_models_never_panic() {
    let base = Sample::default().build();
    let mut rng = Lcg(42);
    let mut parsed = 0;
    for _ in 0..3000 {
        let mut bytes = base.clone();
        for _ in 0..1 + rng.below(4) {
            match rng.below(3) {
                0 => {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next() as u8;
                }
                1 => {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
                _ => {
                    let i = rng.below(bytes.len());
                    bytes.insert(i, rng.next() as u8);
                }
            }
        }
        parsed += usize::from(exercise(&bytes));
    }
    // Many single-byte changes (in names, float bits) leave a valid model: those are exercised too.
    assert!(parsed > 100, "only {parsed} mutated models parsed");
}
