//! Value stability: the first values of fixed (seed, name, initializer, dtype) tuples, as bit
//! patterns. Any change to keys, word layout, sample maps or rounding breaks these on purpose:
//! a change to the output must be a conscious, documented decision (and a major version).

use glorot::{bf16, f16, fill, Distribution, Element, Init, Key, Layout, Rounds};

fn bits<T: Element>(
    init: Init,
    name: &str,
    shape: &[usize],
    n: usize,
    to_bits: impl Fn(T) -> u64,
) -> Vec<u64> {
    let key = Key::new(2010).tensor(name);
    let v: Vec<T> = init.alloc(shape, Layout::Torch, &key).unwrap();
    v[..n].iter().map(|&x| to_bits(x)).collect()
}

fn check(
    init: Init,
    name: &str,
    shape: &[usize],
    f32s: [u32; 6],
    f64s: [u64; 4],
    bf16s: [u16; 6],
    f16s: [u16; 6],
) {
    assert_eq!(
        bits::<f32>(init, name, shape, 6, |x| x.to_bits().into()),
        f32s.map(u64::from),
        "{name} f32"
    );
    assert_eq!(
        bits::<f64>(init, name, shape, 4, |x| x.to_bits()),
        f64s,
        "{name} f64"
    );
    assert_eq!(
        bits::<bf16>(init, name, shape, 6, |x| x.to_bits().into()),
        bf16s.map(u64::from),
        "{name} bf16"
    );
    assert_eq!(
        bits::<f16>(init, name, shape, 6, |x| x.to_bits().into()),
        f16s.map(u64::from),
        "{name} f16"
    );
}

#[test]
fn xavier_uniform() {
    check(
        Init::xavier_uniform(1.0),
        "fc1.weight",
        &[1000, 784],
        [
            0xbd0efb58, 0xbc27d504, 0x3d1fb001, 0xbbfbce58, 0xbd68cb65, 0x3cdc15f2,
        ],
        [
            0xbf84fa9f8b829ca4,
            0xbf7f79c8fafbabe8,
            0x3f9b82be57a08dce,
            0x3f867c63e8f716cc,
        ],
        [0xbd0f, 0xbc28, 0x3d20, 0xbbfc, 0xbd69, 0x3cdc],
        [0xa878, 0xa13f, 0x28fe, 0x9fde, 0xab46, 0x26e1],
    );
}

#[test]
fn kaiming_uniform_defaults() {
    check(
        Init::kaiming_uniform(),
        "conv1.weight",
        &[64, 3, 7, 7],
        [
            0xbdb0eec9, 0x3dd5bfe8, 0xbe038bda, 0x3d1fa218, 0xbd33c530, 0x3d5bef50,
        ],
        [
            0x3fbab7fcdb1c8e24,
            0x3fa3f443f476d900,
            0x3fab7dead86d5b78,
            0xbfbefe4a6521f4e6,
        ],
        [0xbdb1, 0x3dd6, 0xbe04, 0x3d20, 0xbd34, 0x3d5c],
        [0xad87, 0x2eae, 0xb01c, 0x28fd, 0xa99e, 0x2adf],
    );
}

#[test]
fn lecun_uniform() {
    check(
        Init::LecunUniform,
        "lecun",
        &[300, 100],
        [
            0x3de8396c, 0xbdf2fd14, 0xbcbcfd10, 0xbe0d00d4, 0xbd185c14, 0xbc99f660,
        ],
        [
            0xbfbe5fa25260a078,
            0xbfc1a01a4d1321b2,
            0xbf933ecb08950b38,
            0xbfbab8ce63284a0a,
        ],
        [0x3de8, 0xbdf3, 0xbcbd, 0xbe0d, 0xbd18, 0xbc9a],
        [0x2f42, 0xaf98, 0xa5e8, 0xb068, 0xa8c3, 0xa4d0],
    );
}

#[test]
fn he_uniform() {
    check(
        Init::HeUniform,
        "he",
        &[3, 3, 16, 32],
        [
            0x3d5b5354, 0x3d6bfe80, 0x3c4a8158, 0xbd397c46, 0xbd23400a, 0x3d04cf4c,
        ],
        [
            0x3fad7fd008fb6a6a,
            0xbfa72f889999abf6,
            0x3fa099e9af4b97fe,
            0xbf9ffeac9135f1cc,
        ],
        [0x3d5b, 0x3d6c, 0x3c4b, 0xbd39, 0xbd23, 0x3d05],
        [0x2adb, 0x2b60, 0x2254, 0xa9cc, 0xa91a, 0x2826],
    );
}

#[test]
fn plain_uniform() {
    check(
        Init::Uniform {
            low: -1.0,
            high: 3.0,
        },
        "u",
        &[1000],
        [
            0xbee2a4f0, 0xbf57c768, 0xbf0d8f10, 0x4021ea4a, 0x400a1064, 0x403edeff,
        ],
        [
            0xbfeaf8ecc46e2a50,
            0x40043d4957a39387,
            0x4007dbdfedb9420c,
            0x3ff3ca416a0cd4c6,
        ],
        [0xbee3, 0xbf58, 0xbf0e, 0x4022, 0x400a, 0x403f],
        [0xb715, 0xbabe, 0xb86c, 0x410f, 0x4051, 0x41f7],
    );
}

fn first_six(key: glorot::TensorKey) -> [u32; 6] {
    let mut v = [0f32; 6];
    fill(&mut v, &Distribution::uniform(0.0, 1.0).unwrap(), &key).unwrap();
    v.map(f32::to_bits)
}

#[test]
fn other_rounds_and_integer_ids() {
    assert_eq!(
        first_six(Key::with_rounds(7, Rounds::ChaCha20).tensor_id(3)),
        [0x3f53423d, 0x3f6244ec, 0x3eca23d0, 0x3e97a506, 0x3de0ec78, 0x3f28082f]
    );
    assert_eq!(
        first_six(Key::with_rounds(7, Rounds::ChaCha12).tensor("x")),
        [0x3f71fb30, 0x3f1617ab, 0x3f12b2db, 0x3e920ab4, 0x3e10381c, 0x3f6cf9d1]
    );
}

#[test]
fn constants() {
    let key = Key::new(1).tensor("b");
    let z: Vec<bf16> = Init::Zeros.alloc(&[5], Layout::Torch, &key).unwrap();
    assert!(z.iter().all(|x| x.to_bits() == 0));
    let o: Vec<f64> = Init::Ones.alloc(&[3, 3], Layout::Torch, &key).unwrap();
    assert!(o.iter().all(|&x| x == 1.0));
    let c: Vec<f16> = Init::Constant { val: 0.1 }
        .alloc(&[7], Layout::Torch, &key)
        .unwrap();
    assert!(c.iter().all(|&x| x == f16::from_f32(0.1)));
}
