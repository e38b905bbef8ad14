//! Tensor-parallel blocks equal the corresponding block of the full initialization, bit for
//! bit, for row and column splits over t ∈ {1, 2, 3, 4, 8}, uneven splits, every dtype and
//! every distribution.

use glorot::{
    bf16, f16, fill, fill_block, shard_block, split_range, Distribution, Element, Error, Init, Key,
    Layout, Split,
};

fn dists() -> Vec<Distribution> {
    vec![
        Distribution::uniform(-0.3, 0.7).unwrap(),
        Distribution::symmetric_uniform(1e-3).unwrap(),
        Distribution::constant(1.25).unwrap(),
        Distribution::zeros(),
    ]
}

fn check<T: Element + Zero>(shape: [usize; 2]) {
    let key = Key::new(77).tensor("blocks.0.mlp.c_fc.weight");
    for dist in dists() {
        let mut full = vec![T::from_f64_for_test(0.0); shape[0] * shape[1]];
        fill(&mut full, &dist, &key).unwrap();
        for t in [1, 2, 3, 4, 8] {
            for split in [Split::Rows, Split::Cols] {
                let mut covered = 0;
                for r in 0..t {
                    let (rows, cols) = shard_block(shape, split, r, t).unwrap();
                    let mut block = vec![T::from_f64_for_test(0.0); rows.len() * cols.len()];
                    fill_block(&mut block, &dist, &key, shape, rows.clone(), cols.clone()).unwrap();
                    for (i, row) in rows.clone().enumerate() {
                        let want = &full[row * shape[1] + cols.start..row * shape[1] + cols.end];
                        let got = &block[i * cols.len()..(i + 1) * cols.len()];
                        assert_eq!(got, want, "{dist:?} {shape:?} t={t} {split:?} rank {r}");
                    }
                    covered += block.len();
                }
                assert_eq!(covered, full.len());
            }
        }
    }
}

trait Zero {
    fn from_f64_for_test(x: f64) -> Self;
}
impl Zero for f32 {
    fn from_f64_for_test(x: f64) -> Self {
        x as f32
    }
}
impl Zero for f64 {
    fn from_f64_for_test(x: f64) -> Self {
        x
    }
}
impl Zero for bf16 {
    fn from_f64_for_test(x: f64) -> Self {
        bf16::from_f64(x)
    }
}
impl Zero for f16 {
    fn from_f64_for_test(x: f64) -> Self {
        f16::from_f64(x)
    }
}

#[test]
fn blocks_equal_the_full_tensor() {
    // Uneven in both directions for t = 3, 4, 8; one shape large enough for the parallel
    // row path and for rows that straddle the fill's internal chunk boundaries.
    for shape in [[37, 29], [8, 8], [5, 3], [257, 1031]] {
        check::<f32>(shape);
        check::<f64>(shape);
        check::<bf16>(shape);
        check::<f16>(shape);
    }
}

#[test]
fn arbitrary_rectangles() {
    let key = Key::new(1).tensor("w");
    let dist = Distribution::uniform(-1.0, 1.0).unwrap();
    let shape = [50, 40];
    let mut full = vec![0f32; 2000];
    fill(&mut full, &dist, &key).unwrap();
    for (rows, cols) in [
        (3..17, 5..6),
        (0..50, 39..40),
        (49..50, 0..40),
        (10..10, 3..9),
    ] {
        let mut b = vec![0f32; rows.len() * cols.len()];
        fill_block(&mut b, &dist, &key, shape, rows.clone(), cols.clone()).unwrap();
        for (i, r) in rows.clone().enumerate() {
            assert_eq!(
                &b[i * cols.len()..(i + 1) * cols.len()],
                &full[r * 40 + cols.start..r * 40 + cols.end]
            );
        }
    }
    let mut b = vec![0f32; 4];
    assert_eq!(
        fill_block(&mut b, &dist, &key, shape, 48..52, 0..1),
        Err(Error::OutOfRange)
    );
    assert_eq!(
        fill_block(&mut b, &dist, &key, shape, 0..2, 0..1),
        Err(Error::LengthMismatch {
            expected: 2,
            actual: 4
        })
    );
}

#[test]
fn shards_use_the_fans_of_the_full_tensor() {
    // Column-parallel xavier: every rank's block has the full tensor's bound, not one computed
    // from its own (narrower) shape.
    let shape = [64, 48];
    let key = Key::new(5).tensor("attn.c_attn.weight");
    for init in [
        Init::xavier_uniform(1.0),
        Init::kaiming_uniform(),
        Init::HeUniform,
        Init::LecunUniform,
        Init::GlorotUniform,
        Init::Ones,
    ] {
        for layout in [Layout::Torch, Layout::Jax] {
            let full: Vec<f32> = init.alloc(&shape, layout, &key).unwrap();
            for t in [1, 2, 3, 4, 8] {
                for split in [Split::Rows, Split::Cols] {
                    for r in 0..t {
                        let (rows, cols) = shard_block(shape, split, r, t).unwrap();
                        let b: Vec<f32> = init
                            .alloc_block(shape, layout, &key, rows.clone(), cols.clone())
                            .unwrap();
                        for (i, row) in rows.clone().enumerate() {
                            assert_eq!(
                                &b[i * cols.len()..(i + 1) * cols.len()],
                                &full[row * 48 + cols.start..row * 48 + cols.end]
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn split_ranges_partition_like_tensor_split() {
    for len in 0..30 {
        for parts in 1..10 {
            let mut next = 0;
            for i in 0..parts {
                let r = split_range(len, parts, i).unwrap();
                assert_eq!(r.start, next);
                // numpy.array_split: sizes differ by at most one, larger ones first.
                assert!(r.len() == len / parts || r.len() == len / parts + 1);
                next = r.end;
            }
            assert_eq!(next, len);
        }
    }
    assert_eq!(split_range(5, 0, 0), Err(Error::OutOfRange));
    assert_eq!(split_range(5, 2, 2), Err(Error::OutOfRange));
}
