//! Built-in model presets.

crate::network! {
    /// Glorot & Bengio (2010): 784 → five tanh layers of 1000 → 10.
    pub struct GlorotMlp {
        fc1: linear(784 => 1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc2: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc3: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc4: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        fc5: linear(1000, act = tanh, init = xavier_uniform, bias = zeros),
        out: linear(10, init = xavier_uniform, bias = zeros),
    }
}
