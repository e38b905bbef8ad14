//! One-thread fills for instruction counts under callgrind (compare with the same file on main at 93107b6, which spelled the level `Backend::Simd`).
use glorot::{bf16, fill_at_with, Distribution, Fans, Init, Key, Level};

fn main() {
    let which = std::env::args().nth(1).expect("which");
    let avx2_cap = std::env::args().nth(2).as_deref() == Some("avx2");
    if avx2_cap {
        glorot::internals::cap_level(Level::Avx2);
    }
    let n = 16 << 20;
    let fans = Fans::new(1024, 1024);
    let key = Key::new(7).tensor("w");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    pool.install(|| {
        let d = |i: Init| i.distribution(fans).unwrap();
        match which.as_str() {
            "xavier_uniform" => {
                let mut v = vec![0f32; n];
                fill_at_with(
                    &mut v,
                    &d(Init::xavier_uniform(1.0)),
                    &key,
                    0,
                    Level::Avx512,
                )
                .unwrap();
                println!("{}", v[n / 3]);
            }
            "xavier_normal" => {
                let mut v = vec![0f32; n];
                fill_at_with(&mut v, &d(Init::xavier_normal(1.0)), &key, 0, Level::Avx512).unwrap();
                println!("{}", v[n / 3]);
            }
            "glorot_normal" => {
                let mut v = vec![0f32; n];
                fill_at_with(&mut v, &d(Init::GlorotNormal), &key, 0, Level::Avx512).unwrap();
                println!("{}", v[n / 3]);
            }
            "f64_normal" => {
                let mut v = vec![0f64; n];
                fill_at_with(
                    &mut v,
                    &Distribution::normal(0.0, 0.02).unwrap(),
                    &key,
                    0,
                    Level::Avx512,
                )
                .unwrap();
                println!("{}", v[n / 3]);
            }
            "bf16_normal" => {
                let mut v = vec![bf16::ZERO; n];
                fill_at_with(
                    &mut v,
                    &Distribution::normal(0.0, 0.02).unwrap(),
                    &key,
                    0,
                    Level::Avx512,
                )
                .unwrap();
                println!("{}", v[n / 3]);
            }
            // JAX mode (`glorot::jax`), through the crate's chunk driver.
            "jax_glorot_uniform" => {
                let mut v = vec![0f32; n];
                let k = glorot::jax::JaxKey::from_seed(7);
                let init = glorot::jax::JaxInit::glorot_uniform();
                glorot::jax::fill_at_with(&mut v, &init, &[n / 1024, 1024], k, 0, Level::Avx512)
                    .unwrap();
                println!("{}", v[n / 3]);
            }
            "jax_bf16" => {
                let mut v = vec![bf16::ZERO; n];
                let k = glorot::jax::JaxKey::from_seed(7);
                let init = glorot::jax::JaxInit::lecun_uniform();
                glorot::jax::fill_at_with(&mut v, &init, &[n / 1024, 1024], k, 0, Level::Avx512)
                    .unwrap();
                println!("{}", v[n / 3]);
            }
            _ => panic!("unknown"),
        }
    });
}
