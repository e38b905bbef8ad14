//! Whole-model initialization from `network!` specs.

use glorot::model::{self, presets::GlorotMlp, Network};
use glorot::{bf16, Element, Key};

fn bits<T: Element>(v: &[T]) -> Vec<u64> {
    v.iter().map(|x| x.to_f64().to_bits()).collect()
}

#[test]
fn mlp_twice_gives_identical_bits() {
    let key = Key::new(2010);
    let a: GlorotMlp = model::init(&key).unwrap();
    let b: GlorotMlp = model::init(&key).unwrap();
    for (name, fa, fb) in [
        ("fc1", &a.fc1, &b.fc1),
        ("fc2", &a.fc2, &b.fc2),
        ("fc3", &a.fc3, &b.fc3),
        ("fc4", &a.fc4, &b.fc4),
        ("fc5", &a.fc5, &b.fc5),
        ("out", &a.out, &b.out),
    ] {
        assert_eq!(fa.prefix(), name);
        for ((ra, _, da), (rb, _, db)) in fa.iter().zip(fb.iter()) {
            assert_eq!(ra, rb);
            assert_eq!(bits(da), bits(db), "{name}.{ra}");
        }
    }
    let other: GlorotMlp = model::init(&Key::new(2011)).unwrap();
    assert_ne!(
        bits(a.fc1.weight().unwrap()),
        bits(other.fc1.weight().unwrap())
    );
}

#[test]
fn mlp_values_are_the_per_tensor_streams() {
    let key = Key::new(7);
    let m: GlorotMlp<bf16> = model::init(&key).unwrap();
    // Each tensor is exactly what filling it alone from `key.tensor(name)` gives.
    let init = glorot::Init::xavier_uniform(5.0 / 3.0);
    let w: Vec<bf16> = init
        .alloc(
            &[1000, 1000],
            glorot::Layout::Torch,
            &key.tensor("fc3.weight"),
        )
        .unwrap();
    assert_eq!(bits(m.fc3.weight().unwrap()), bits(&w));
    let bound = 5.0 / 3.0 * (6.0f64 / 2000.0).sqrt();
    assert!(m
        .fc3
        .weight()
        .unwrap()
        .iter()
        .all(|x| x.to_f64().abs() <= bound));
    assert!(m.fc3.bias().unwrap().iter().all(|x| x.to_f64() == 0.0));
}

#[test]
fn arena_and_iterator_match_owned_init() {
    let key = Key::new(99);
    let m: GlorotMlp = model::init(&key).unwrap();
    let mut arena = vec![0f32; GlorotMlp::PARAMS];
    model::init_into::<GlorotMlp, f32>(&key, &mut arena).unwrap();
    let mut n = 0;
    for t in model::tensors::<GlorotMlp, f32>(&key) {
        let t = t.unwrap();
        assert_eq!(bits(&arena[t.spec.range()]), bits(&t.values), "{}", t.name);
        assert_eq!(t.shape, t.spec.shape());
        assert_eq!(t.dtype, glorot::DType::F32);
        n += 1;
    }
    assert_eq!(n, GlorotMlp::TENSORS);
    let fc5 = &GlorotMlp::SPECS[8];
    assert_eq!(fc5.name(), "fc5.weight");
    assert_eq!(bits(&arena[fc5.range()]), bits(m.fc5.weight().unwrap()));
    // wrong arena length
    let mut short = vec![0f32; 10];
    assert!(model::init_into::<GlorotMlp, f32>(&key, &mut short).is_err());
}

#[test]
fn mlp_names_are_as_documented() {
    let names: Vec<&str> = <GlorotMlp as Network>::SPECS
        .iter()
        .map(|s| s.name())
        .collect();
    assert_eq!(
        names,
        [
            "fc1.weight",
            "fc1.bias",
            "fc2.weight",
            "fc2.bias",
            "fc3.weight",
            "fc3.bias",
            "fc4.weight",
            "fc4.bias",
            "fc5.weight",
            "fc5.bias",
            "out.weight",
            "out.bias"
        ]
    );
}
