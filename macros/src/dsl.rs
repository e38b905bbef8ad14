//! The `network!` macro and its helpers: pure syntax. Helpers are `#[doc(hidden)]` and not
//! part of the public API; every type and `const fn` the expansion names is a `::glorot::`
//! path (see the crate docs for why).

/// Declares a model. See the [crate docs](crate) for the full grammar.
#[macro_export]
macro_rules! network {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident { $($body:tt)* }
    ) => {
        $crate::__fields! { [$(#[$meta])*] [$vis] [$name] [] $($body)* }

        impl $name {
            #[doc(hidden)]
            #[allow(unused_mut, unused_variables)]
            pub const fn __describe<const N: usize>(b: &mut ::glorot::model::__private::Builder<N>) {
                $crate::__entries!(b; $($body)*);
            }

            /// The type's name as declared.
            pub const NAME: &'static str = ::core::stringify!($name);

            /// Number of parameter tensors.
            pub const TENSORS: usize = {
                let mut b = ::glorot::model::__private::Builder::<0>::new();
                $name::<f32>::__describe(&mut b);
                b.count()
            };

            /// Total number of parameters (elements).
            pub const PARAMS: usize = {
                let mut b = ::glorot::model::__private::Builder::<0>::new();
                $name::<f32>::__describe(&mut b);
                b.params()
            };

            /// Every parameter tensor, in declaration order.
            pub const SPECS: &'static [::glorot::model::ParamSpec] = {
                const N: usize = $name::<f32>::TENSORS;
                const TABLE: [::glorot::model::ParamSpec; N] = {
                    let mut b = ::glorot::model::__private::Builder::<N>::new();
                    $name::<f32>::__describe(&mut b);
                    b.finish()
                };
                &TABLE
            };
        }

        // Evaluate the table now, so shape errors are compile errors even if nothing reads it.
        const _: &[::glorot::model::ParamSpec] = $name::<f32>::SPECS;

        impl<T> ::glorot::model::Network for $name<T> {
            const NAME: &'static str = $name::<f32>::NAME;
            const SPECS: &'static [::glorot::model::ParamSpec] = $name::<f32>::SPECS;
            const PARAMS: usize = $name::<f32>::PARAMS;
            const TENSORS: usize = $name::<f32>::TENSORS;
        }
    };
    ($($bad:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: expected `[pub] struct Name { field: kind(args), ... }`, found `",
            ::core::stringify!($($bad)*),
            "`"
        ));
    };
}

/// Collects the top-level fields of the generated struct.
#[doc(hidden)]
#[macro_export]
macro_rules! __fields {
    // done
    ([$($meta:tt)*] [$vis:vis] [$name:ident] [$(($field:ident $method:ident ($($ty:tt)*)))*] $(,)?) => {
        $($meta)*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name<T = f32> {
            $(
                #[doc = ::core::concat!("The tensors under `", ::core::stringify!($field), ".`.")]
                pub $field: $($ty)*,
            )*
            __dtype: ::core::marker::PhantomData<T>,
        }

        impl<T> ::glorot::model::Assemble<T> for $name<T> {
            fn assemble(tensors: ::std::vec::Vec<::std::vec::Vec<T>>) -> Self {
                let mut c = ::glorot::model::__private::Cursor::new(
                    <Self as ::glorot::model::Network>::SPECS,
                    tensors,
                );
                let model = $name {
                    $($field: c.$method(::core::stringify!($field)),)*
                    __dtype: ::core::marker::PhantomData,
                };
                c.finish();
                model
            }
        }
    };
    // `input = [...]` and parameter-free layers (pooling, flatten, to_sequence) hold no
    // tensors, so they get no field.
    ($m:tt $v:tt $n:tt [$($acc:tt)*] input = [ $($d:tt)* ] $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : flatten $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : to_sequence $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : max_pool1d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : max_pool2d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : max_pool3d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : avg_pool1d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : avg_pool2d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : avg_pool3d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : adaptive_avg_pool1d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : adaptive_avg_pool2d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : adaptive_avg_pool3d $(( $($a:tt)* ))? $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)*] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : repeat ( $($r:tt)* ) { $($b:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)* ($field repeated (::std::vec::Vec<::glorot::model::Module<T>>))] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : branch { $($b:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)* ($field module (::glorot::model::Module<T>))] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : { $($b:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)* ($field module (::glorot::model::Module<T>))] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : $kind:ident ( $($a:tt)* ) $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)* ($field module (::glorot::model::Module<T>))] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $field:ident : $kind:ident $(, $($rest:tt)*)?) => {
        $crate::__fields! { $m $v $n [$($acc)* ($field module (::glorot::model::Module<T>))] $($($rest)*)? }
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] repeat $($rest:tt)*) => {
        ::core::compile_error!(
            "network!: a top-level `repeat` needs a field name: `blocks: repeat(N) { ... }`"
        );
    };
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $lit:literal : $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: top-level entries become struct fields and need identifier names, found `",
            ::core::stringify!($lit),
            "`; numbered entries go inside a group `name: { 0: ..., 1: ... }`"
        ));
    };
    // Anything else: emit the struct with the fields so far; `__entries!` reports the error.
    ($m:tt $v:tt $n:tt [$($acc:tt)*] $($bad:tt)*) => {
        $crate::__fields! { $m $v $n [$($acc)*] }
    };
}

/// Walks the entries of a body, driving the const builder `$b`.
#[doc(hidden)]
#[macro_export]
macro_rules! __entries {
    ($b:ident; $(,)?) => {};
    // the input shape (checked to be the model's first entry by the builder)
    ($b:ident; input = [ $($d:expr),+ $(,)? ] $(, $($rest:tt)*)?) => {
        $b.input_shape(&[$($d),+]);
        $crate::__entries!($b; $($($rest)*)?);
    };
    // repeated blocks named `<prefix><i>` (torchvision ViT's `encoder_layer_0` …)
    ($b:ident; $name:tt : repeat ( $n:expr , prefix = $p:literal ) { $($body:tt)* } $(, $($rest:tt)*)?) => {
        $b.begin(::core::stringify!($name));
        {
            let mut i: usize = 0;
            while i < $n {
                $b.begin_prefixed($p, i);
                $crate::__entries!($b; $($body)*);
                $b.end();
                i += 1;
            }
        }
        $b.end();
        $crate::__entries!($b; $($($rest)*)?);
    };
    // anonymous repeat (inside a group): indices appended to the group's path
    ($b:ident; repeat ( $s:tt .. $e:tt ) { $($body:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__repeat!($b; $s, $e; $($body)*);
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; repeat ( $n:expr ) { $($body:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__repeat!($b; 0, $n; $($body)*);
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; $name:tt : repeat ( $s:tt .. $e:tt ) { $($body:tt)* } $(, $($rest:tt)*)?) => {
        $b.begin(::core::stringify!($name));
        $crate::__repeat!($b; $s, $e; $($body)*);
        $b.end();
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; $name:tt : repeat ( $n:expr ) { $($body:tt)* } $(, $($rest:tt)*)?) => {
        $b.begin(::core::stringify!($name));
        $crate::__repeat!($b; 0, $n; $($body)*);
        $b.end();
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; $name:tt : branch { $($body:tt)* } $(, $($rest:tt)*)?) => {
        $b.begin_branch(::core::stringify!($name));
        $crate::__entries!($b; $($body)*);
        $b.end();
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; $name:tt : { $($body:tt)* } $(, $($rest:tt)*)?) => {
        $b.begin(::core::stringify!($name));
        $crate::__entries!($b; $($body)*);
        $b.end();
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; $name:tt : $kind:ident ( $($a:tt)* ) $(, $($rest:tt)*)?) => {
        $b.begin(::core::stringify!($name));
        $crate::__layer!($b; $kind; $($a)*);
        $b.end();
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; $name:tt : $kind:ident $(, $($rest:tt)*)?) => {
        $b.begin(::core::stringify!($name));
        $crate::__layer!($b; $kind;);
        $b.end();
        $crate::__entries!($b; $($($rest)*)?);
    };
    ($b:ident; $($bad:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: expected `name: kind(args)`, `name: { ... }`, `name: branch { ... }`, ",
            "`name: repeat(N) { ... }`, `name: repeat(N, prefix = \"p_\") { ... }`, ",
            "`repeat(A..B) { ... }` or (first) `input = [C, H, W]`, found `",
            ::core::stringify!($($bad)*),
            "`"
        ));
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __repeat {
    ($b:ident; $s:expr, $e:expr; $($body:tt)*) => {{
        let mut i: usize = $s;
        while i < $e {
            $b.begin_index(i);
            $crate::__entries!($b; $($body)*);
            $b.end();
            i += 1;
        }
    }};
}

/// One layer: parses the positional arguments of `$kind`, then its options.
#[doc(hidden)]
#[macro_export]
macro_rules! __layer {
    ($b:ident; linear; $($a:tt)*) => { $crate::__io!($b; linear []; linear; $($a)*) };
    ($b:ident; dense; $($a:tt)*) => { $crate::__io!($b; linear []; dense; $($a)*) };
    ($b:ident; conv1d; $($a:tt)*) => { $crate::__io!($b; conv [1]; conv1d; $($a)*) };
    ($b:ident; hf_conv1d; $($a:tt)*) => { $crate::__io!($b; hf_conv1d []; hf_conv1d; $($a)*) };
    ($b:ident; conv2d; $($a:tt)*) => { $crate::__io!($b; conv [2]; conv2d; $($a)*) };
    ($b:ident; conv3d; $($a:tt)*) => { $crate::__io!($b; conv [3]; conv3d; $($a)*) };
    ($b:ident; gated_mlp; $($a:tt)*) => { $crate::__io!($b; gated_mlp []; gated_mlp; $($a)*) };
    ($b:ident; rnn; $($a:tt)*) => {
        $crate::__io!($b; recurrent [::glorot::model::__private::Cell::Rnn]; rnn; $($a)*)
    };
    ($b:ident; lstm; $($a:tt)*) => {
        $crate::__io!($b; recurrent [::glorot::model::__private::Cell::Lstm]; lstm; $($a)*)
    };
    ($b:ident; gru; $($a:tt)*) => {
        $crate::__io!($b; recurrent [::glorot::model::__private::Cell::Gru]; gru; $($a)*)
    };
    ($b:ident; embedding; $num:expr, $dim:expr $(, $($o:tt)*)?) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $($($o)*)?);
        $b.embedding($num, $dim, &o);
    }};
    ($b:ident; layer_norm; $($a:tt)*) => {
        $crate::__width!($b; norm [::glorot::model::__private::NormKind::LayerNorm]; layer_norm; $($a)*)
    };
    ($b:ident; rms_norm; $($a:tt)*) => {
        $crate::__width!($b; norm [::glorot::model::__private::NormKind::RmsNorm]; rms_norm; $($a)*)
    };
    ($b:ident; batch_norm; $($a:tt)*) => {
        $crate::__width!($b; norm [::glorot::model::__private::NormKind::BatchNorm]; batch_norm; $($a)*)
    };
    ($b:ident; attention; $($a:tt)*) => { $crate::__width!($b; attention []; attention; $($a)*) };
    ($b:ident; multihead_attention; $($a:tt)*) => {
        $crate::__width!($b; multihead_attention []; multihead_attention; $($a)*)
    };
    ($b:ident; group_norm;) => {
        ::core::compile_error!(
            "network!: `group_norm` needs its group count: `group_norm(GROUPS, options)` (the channels flow in)"
        );
    };
    ($b:ident; group_norm; groups = $g:expr $(, $($o:tt)*)?) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $($($o)*)?);
        $b.group_norm($g, &o);
    }};
    ($b:ident; group_norm; $k:ident = $($o:tt)*) => {
        ::core::compile_error!(
            "network!: `group_norm` needs its group count first: `group_norm(GROUPS, options)` (the channels flow in)"
        );
    };
    ($b:ident; group_norm; $g:expr $(, $($o:tt)*)?) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $($($o)*)?);
        $b.group_norm($g, &o);
    }};
    ($b:ident; group_norm; $($a:tt)*) => {
        ::core::compile_error!(
            "network!: `group_norm` needs its group count first: `group_norm(GROUPS, options)` (the channels flow in)"
        );
    };
    ($b:ident; max_pool1d; $($a:tt)*) => { $crate::__pool!($b; Max, 1; $($a)*) };
    ($b:ident; max_pool2d; $($a:tt)*) => { $crate::__pool!($b; Max, 2; $($a)*) };
    ($b:ident; max_pool3d; $($a:tt)*) => { $crate::__pool!($b; Max, 3; $($a)*) };
    ($b:ident; avg_pool1d; $($a:tt)*) => { $crate::__pool!($b; Avg, 1; $($a)*) };
    ($b:ident; avg_pool2d; $($a:tt)*) => { $crate::__pool!($b; Avg, 2; $($a)*) };
    ($b:ident; avg_pool3d; $($a:tt)*) => { $crate::__pool!($b; Avg, 3; $($a)*) };
    ($b:ident; adaptive_avg_pool1d; $($a:tt)*) => { $crate::__adaptive!($b; 1; adaptive_avg_pool1d; $($a)*) };
    ($b:ident; adaptive_avg_pool2d; $($a:tt)*) => { $crate::__adaptive!($b; 2; adaptive_avg_pool2d; $($a)*) };
    ($b:ident; adaptive_avg_pool3d; $($a:tt)*) => { $crate::__adaptive!($b; 3; adaptive_avg_pool3d; $($a)*) };
    ($b:ident; flatten;) => { $b.flatten() };
    ($b:ident; flatten; $($a:tt)+) => {
        ::core::compile_error!(
            "network!: `flatten` takes no arguments: it is `torch.flatten(x, 1)`, and its width is computed"
        );
    };
    ($b:ident; to_sequence;) => { $b.to_sequence() };
    ($b:ident; to_sequence; $($a:tt)+) => {
        ::core::compile_error!(
            "network!: `to_sequence` takes no arguments: its length is the spatial product before it"
        );
    };
    ($b:ident; class_token; $($a:tt)*) => { $crate::__width!($b; class_token []; class_token; $($a)*) };
    ($b:ident; pos_embedding; $($a:tt)*) => { $crate::__width!($b; pos_embedding []; pos_embedding; $($a)*) };
    ($b:ident; $kind:ident; $($a:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: unknown layer kind `",
            ::core::stringify!($kind),
            "`; expected one of linear, dense, conv1d, hf_conv1d, conv2d, conv3d, embedding, layer_norm, ",
            "rms_norm, batch_norm, group_norm, attention, multihead_attention, gated_mlp, rnn, lstm, gru, ",
            "max_pool1d/2d/3d, avg_pool1d/2d/3d, adaptive_avg_pool1d/2d/3d, flatten, to_sequence, ",
            "class_token, pos_embedding"
        ));
    };
}

/// `kind(IN => OUT, opts)` / `kind(OUT, opts)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __io {
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $k:ident = $($o:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: `", ::core::stringify!($kind),
            "` needs its output width first: `", ::core::stringify!($kind),
            "(IN => OUT, options)` or `", ::core::stringify!($kind), "(OUT, options)`"
        ));
    };
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $in:expr => $out:expr $(, $($o:tt)*)?) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $($($o)*)?);
        $b.$m($($pre,)* ::core::option::Option::Some($in), $out, &o);
    }};
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $out:expr $(, $($o:tt)*)?) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $($($o)*)?);
        $b.$m($($pre,)* ::core::option::Option::None, $out, &o);
    }};
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $($bad:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: expected `", ::core::stringify!($kind), "(IN => OUT, options)` or `",
            ::core::stringify!($kind), "(OUT, options)`, found `",
            ::core::stringify!($kind), "(", ::core::stringify!($($bad)*), ")`"
        ));
    };
}

/// `max_pool2d(K, opts)` / `max_pool2d(kernel = K, opts)` (and avg, 1-D to 3-D).
#[doc(hidden)]
#[macro_export]
macro_rules! __pool {
    ($b:ident; $p:ident, $d:expr;) => {{
        let o = ::glorot::model::__private::Opts::new();
        $b.pool(::glorot::model::__private::PoolKind::$p, $d, &o);
    }};
    ($b:ident; $p:ident, $d:expr; $k:ident = $($o:tt)*) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $k = $($o)*);
        $b.pool(::glorot::model::__private::PoolKind::$p, $d, &o);
    }};
    ($b:ident; $p:ident, $d:expr; $k:expr $(, $($o:tt)*)?) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        o.kernel(&[$k]);
        $crate::__opts!(o; $($($o)*)?);
        $b.pool(::glorot::model::__private::PoolKind::$p, $d, &o);
    }};
}

/// `adaptive_avg_pool2d(H, W)` / `(S)` / `((H, W))`.
#[doc(hidden)]
#[macro_export]
macro_rules! __adaptive {
    ($b:ident; $d:expr; $kind:ident;) => {
        ::core::compile_error!(::core::concat!(
            "network!: `", ::core::stringify!($kind), "` needs its output size: `",
            ::core::stringify!($kind), "(S)` or one size per spatial axis"
        ));
    };
    ($b:ident; $d:expr; $kind:ident; ( $($s:expr),+ $(,)? )) => { $b.adaptive_pool($d, &[$($s),+]) };
    ($b:ident; $d:expr; $kind:ident; $($s:expr),+ $(,)?) => { $b.adaptive_pool($d, &[$($s),+]) };
    ($b:ident; $d:expr; $kind:ident; $($bad:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: `", ::core::stringify!($kind), "` needs its output size: `",
            ::core::stringify!($kind), "(S)` or one size per spatial axis, found `",
            ::core::stringify!($kind), "(", ::core::stringify!($($bad)*), ")`"
        ));
    };
}

/// `kind`, `kind(WIDTH, opts)`, `kind(opts)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __width {
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $(,)?) => {{
        let o = ::glorot::model::__private::Opts::new();
        $b.$m($($pre,)* ::core::option::Option::None, &o);
    }};
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $k:ident = $($o:tt)*) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $k = $($o)*);
        $b.$m($($pre,)* ::core::option::Option::None, &o);
    }};
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $w:expr $(, $($o:tt)*)?) => {{
        let mut o = ::glorot::model::__private::Opts::new();
        $crate::__opts!(o; $($($o)*)?);
        $b.$m($($pre,)* ::core::option::Option::Some($w), &o);
    }};
    ($b:ident; $m:ident [$($pre:expr),*]; $kind:ident; $($bad:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: expected `", ::core::stringify!($kind), "`, `",
            ::core::stringify!($kind), "(WIDTH, options)` or `",
            ::core::stringify!($kind), "(options)`, found `",
            ::core::stringify!($kind), "(", ::core::stringify!($($bad)*), ")`"
        ));
    };
}

/// `key = value, ...`.
#[doc(hidden)]
#[macro_export]
macro_rules! __opts {
    ($o:ident; $(,)?) => {};
    ($o:ident; $k:ident = $v:tt ( $($a:tt)* ) $(, $($rest:tt)*)?) => {
        $crate::__opt!($o; $k = $v ( $($a)* ));
        $crate::__opts!($o; $($($rest)*)?);
    };
    ($o:ident; $k:ident = $v:tt $(, $($rest:tt)*)?) => {
        $crate::__opt!($o; $k = $v);
        $crate::__opts!($o; $($($rest)*)?);
    };
    ($o:ident; $($bad:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: expected layer options `key = value, ...` (a value is one token, a call ",
            "like `normal(std = 0.02)`, or a `{ block }`), found `",
            ::core::stringify!($($bad)*),
            "`"
        ));
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __opt {
    // Activations `calculate_gain` has no name for: gain 1 (the `linear` gain).
    ($o:ident; act = softsign) => { $o.act_only(::glorot::model::Activation::Softsign) };
    ($o:ident; act = gelu) => { $o.act_only(::glorot::model::Activation::Gelu) };
    ($o:ident; act = $a:ident ( $s:expr )) => {
        $o.act($crate::__act!($a), ::core::option::Option::Some(($s) as f64))
    };
    ($o:ident; act = $a:ident) => { $o.act($crate::__act!($a), ::core::option::Option::None) };
    ($o:ident; init = $($i:tt)+) => { $o.init($crate::__init!($($i)+)) };
    ($o:ident; out_init = $($i:tt)+) => { $o.out_init($crate::__init!($($i)+)) };
    ($o:ident; recurrent_init = $($i:tt)+) => { $o.recurrent_init($crate::__init!($($i)+)) };
    ($o:ident; bias = true) => { $o.bias(true) };
    ($o:ident; bias = false) => { $o.bias(false) };
    ($o:ident; bias = $($i:tt)+) => { $o.bias_init($crate::__init!($($i)+)) };
    ($o:ident; kernel = ( $($k:expr),+ $(,)? )) => { $o.kernel(&[$($k),+]) };
    ($o:ident; kernel = $k:expr) => { $o.kernel(&[$k]) };
    ($o:ident; stride = ( $($k:expr),+ $(,)? )) => { $o.stride(&[$($k),+]) };
    ($o:ident; stride = $k:expr) => { $o.stride(&[$k]) };
    ($o:ident; padding = ( $($k:expr),+ $(,)? )) => { $o.padding(&[$($k),+]) };
    ($o:ident; padding = $k:expr) => { $o.padding(&[$k]) };
    ($o:ident; dilation = ( $($k:expr),+ $(,)? )) => { $o.dilation(&[$($k),+]) };
    ($o:ident; dilation = $k:expr) => { $o.dilation(&[$k]) };
    ($o:ident; output_padding = ( $($k:expr),+ $(,)? )) => { $o.output_padding(&[$($k),+]) };
    ($o:ident; output_padding = $k:expr) => { $o.output_padding(&[$k]) };
    ($o:ident; ceil_mode = $v:expr) => { $o.ceil_mode($v) };
    ($o:ident; groups = $v:expr) => { $o.groups($v) };
    ($o:ident; transposed = $v:expr) => { $o.transposed($v) };
    ($o:ident; heads = $v:expr) => { $o.heads($v) };
    ($o:ident; kv_heads = $v:expr) => { $o.kv_heads($v) };
    ($o:ident; head_dim = $v:expr) => { $o.head_dim($v) };
    ($o:ident; fused_qkv = $v:expr) => { $o.fused_qkv($v) };
    ($o:ident; hf_conv1d = $v:expr) => { $o.hf_conv1d($v) };
    ($o:ident; layers = $v:expr) => { $o.layers($v) };
    ($o:ident; bidirectional = $v:expr) => { $o.bidirectional($v) };
    ($o:ident; affine = $v:expr) => { $o.affine($v) };
    ($o:ident; names = ( $($n:ident),+ $(,)? )) => { $o.names(&[$(::core::stringify!($n)),+]) };
    ($o:ident; $k:ident = $($v:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: unknown layer option `",
            ::core::stringify!($k),
            "`; expected one of act, init, bias, out_init, recurrent_init, kernel, stride, ",
            "padding, dilation, output_padding, ceil_mode, groups, transposed, heads, kv_heads, ",
            "head_dim, fused_qkv, hf_conv1d, names, layers, bidirectional, affine"
        ))
    };
}

/// An activation name (PyTorch's `calculate_gain` names).
#[doc(hidden)]
#[macro_export]
macro_rules! __act {
    (linear) => {
        ::glorot::Nonlinearity::Linear
    };
    (identity) => {
        ::glorot::Nonlinearity::Linear
    };
    (conv1d) => {
        ::glorot::Nonlinearity::Conv1d
    };
    (conv2d) => {
        ::glorot::Nonlinearity::Conv2d
    };
    (conv3d) => {
        ::glorot::Nonlinearity::Conv3d
    };
    (conv_transpose1d) => {
        ::glorot::Nonlinearity::ConvTranspose1d
    };
    (conv_transpose2d) => {
        ::glorot::Nonlinearity::ConvTranspose2d
    };
    (conv_transpose3d) => {
        ::glorot::Nonlinearity::ConvTranspose3d
    };
    (sigmoid) => {
        ::glorot::Nonlinearity::Sigmoid
    };
    (tanh) => {
        ::glorot::Nonlinearity::Tanh
    };
    (relu) => {
        ::glorot::Nonlinearity::Relu
    };
    (leaky_relu) => {
        ::glorot::Nonlinearity::LeakyRelu
    };
    (selu) => {
        ::glorot::Nonlinearity::Selu
    };
    ($other:tt) => {
        ::core::compile_error!(::core::concat!(
            "network!: unknown activation `",
            ::core::stringify!($other),
            "`; expected one of linear, sigmoid, tanh, relu, leaky_relu, leaky_relu(SLOPE), ",
            "selu, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d ",
            "(and, for a layer's `act`, softsign and gelu)"
        ))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __mode {
    (fan_in) => {
        ::glorot::FanMode::FanIn
    };
    (fan_out) => {
        ::glorot::FanMode::FanOut
    };
    (fan_avg) => {
        ::glorot::FanMode::FanAvg
    };
    (fan_geo_avg) => {
        ::glorot::FanMode::FanGeoAvg
    };
    ($other:tt) => {
        ::core::compile_error!(::core::concat!(
            "network!: unknown fan mode `",
            ::core::stringify!($other),
            "`; expected fan_in, fan_out, fan_avg or fan_geo_avg"
        ))
    };
}

/// An initializer, as written after `init =`, `bias =` or `out_init =`.
#[doc(hidden)]
#[macro_export]
macro_rules! __init {
    ({ $($e:tt)* }) => { { $($e)* } };
    (xavier_uniform) => { ::glorot::Init::XavierUniform { gain: f64::NAN } };
    (xavier_uniform ( gain = $g:expr )) => { ::glorot::Init::XavierUniform { gain: ($g) as f64 } };
    (xavier_uniform ( $g:expr )) => { ::glorot::Init::XavierUniform { gain: ($g) as f64 } };
    (xavier_normal) => { ::glorot::Init::XavierNormal { gain: f64::NAN } };
    (xavier_normal ( gain = $g:expr )) => { ::glorot::Init::XavierNormal { gain: ($g) as f64 } };
    (xavier_normal ( $g:expr )) => { ::glorot::Init::XavierNormal { gain: ($g) as f64 } };
    (kaiming_uniform $(( $($k:ident = $v:tt),* $(,)? ))?) => {{
        let mut k = ::glorot::model::__private::KaimingArgs::new();
        $($( $crate::__kaiming_arg!(k; $k = $v); )*)?
        k.uniform()
    }};
    (kaiming_normal $(( $($k:ident = $v:tt),* $(,)? ))?) => {{
        let mut k = ::glorot::model::__private::KaimingArgs::new();
        $($( $crate::__kaiming_arg!(k; $k = $v); )*)?
        k.normal()
    }};
    (uniform ( $($k:ident = $v:expr),+ $(,)? )) => {{
        let mut u = ::glorot::model::__private::UniformArgs::new();
        $( u.$k = ($v) as f64; )+
        u.build()
    }};
    (uniform ( $lo:expr, $hi:expr )) => {
        ::glorot::Init::Uniform { low: ($lo) as f64, high: ($hi) as f64 }
    };
    (normal) => { ::glorot::Init::Normal { mean: 0.0, std: 1.0 } };
    (normal ( $($k:ident = $v:expr),+ $(,)? )) => {{
        let mut n = ::glorot::model::__private::NormalArgs::new();
        $( n.$k = ($v) as f64; )+
        n.normal()
    }};
    (normal ( $m:expr, $s:expr )) => {
        ::glorot::Init::Normal { mean: ($m) as f64, std: ($s) as f64 }
    };
    (trunc_normal) => { ::glorot::model::__private::NormalArgs::new().trunc() };
    (trunc_normal ( $($k:ident = $v:expr),+ $(,)? )) => {{
        let mut n = ::glorot::model::__private::NormalArgs::new();
        $( n.$k = ($v) as f64; )+
        n.trunc()
    }};
    (constant ( val = $v:expr )) => { ::glorot::Init::Constant { val: ($v) as f64 } };
    (constant ( $v:expr )) => { ::glorot::Init::Constant { val: ($v) as f64 } };
    (zeros) => { ::glorot::Init::Zeros };
    (ones) => { ::glorot::Init::Ones };
    (glorot_uniform) => { ::glorot::Init::GlorotUniform };
    (glorot_normal) => { ::glorot::Init::GlorotNormal };
    (he_uniform) => { ::glorot::Init::HeUniform };
    (he_normal) => { ::glorot::Init::HeNormal };
    (lecun_uniform) => { ::glorot::Init::LecunUniform };
    (lecun_normal) => { ::glorot::Init::LecunNormal };
    (variance_scaling ( $($k:ident = $v:tt),* $(,)? )) => {{
        let mut v = ::glorot::model::__private::VarianceArgs::new();
        $( $crate::__variance_arg!(v; $k = $v); )*
        v.build()
    }};
    (orthogonal) => { ::glorot::Init::Orthogonal { gain: f64::NAN } };
    (orthogonal ( gain = $g:expr )) => { ::glorot::Init::Orthogonal { gain: ($g) as f64 } };
    (orthogonal ( $g:expr )) => { ::glorot::Init::Orthogonal { gain: ($g) as f64 } };
    (orthogonal_jax $(( $($k:ident = $v:expr),* $(,)? ))?) => {{
        let mut o = ::glorot::model::__private::OrthogonalArgs::new();
        $($( $crate::__orthogonal_arg!(o; orthogonal_jax; $k = $v); )*)?
        o.jax()
    }};
    (delta_orthogonal $(( $($k:ident = $v:expr),* $(,)? ))?) => {{
        let mut o = ::glorot::model::__private::OrthogonalArgs::new();
        $($( $crate::__orthogonal_arg!(o; delta_orthogonal; $k = $v); )*)?
        o.delta()
    }};
    (sparse) => {
        ::core::compile_error!(
            "network!: sparse needs its sparsity: `sparse(sparsity = 0.1)` or `sparse(sparsity = 0.1, std = 0.01)`"
        )
    };
    (sparse ( $($k:ident = $v:expr),+ $(,)? )) => {{
        let mut s = ::glorot::model::__private::SparseArgs::new();
        $( $crate::__sparse_arg!(s; $k = $v); )+
        s.build()
    }};
    (sparse ( $s:expr )) => { ::glorot::Init::Sparse { sparsity: ($s) as f64, std: 0.01 } };
    (dirac) => { ::glorot::Init::Dirac { groups: 1 } };
    (dirac ( groups = $g:expr )) => { ::glorot::Init::Dirac { groups: $g } };
    (dirac ( $g:expr )) => { ::glorot::Init::Dirac { groups: $g } };
    (eye) => { ::glorot::Init::Eye };
    (identity) => { ::glorot::Init::Identity { gain: 1.0 } };
    (identity ( gain = $g:expr )) => { ::glorot::Init::Identity { gain: ($g) as f64 } };
    (identity ( $g:expr )) => { ::glorot::Init::Identity { gain: ($g) as f64 } };
    ($($other:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "network!: unknown initializer `",
            ::core::stringify!($($other)*),
            "`; expected xavier_uniform[(GAIN)], xavier_normal[(GAIN)], ",
            "kaiming_uniform[(a = A, mode = fan_in|fan_out, nonlinearity = ACT)], kaiming_normal[(...)], ",
            "uniform(LOW, HIGH), normal[(mean = M, std = S)], trunc_normal[(mean, std, a, b)], ",
            "constant(V), zeros, ones, glorot_uniform, glorot_normal, he_uniform, he_normal, ",
            "lecun_uniform, lecun_normal, variance_scaling(scale = S, mode = M, distribution = D), ",
            "orthogonal[(GAIN)], orthogonal_jax[(scale = S, column_axis = A)], ",
            "sparse(sparsity = S[, std = D]), dirac[(groups = G)], eye, identity[(GAIN)], ",
            "delta_orthogonal[(scale = S, column_axis = A)] or a `{ Init expression }`"
        ))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __kaiming_arg {
    ($k:ident; a = $v:tt) => {
        $k.a = ::core::option::Option::Some(($v) as f64)
    };
    ($k:ident; mode = $v:tt) => {
        $k.mode = $crate::__mode!($v)
    };
    ($k:ident; nonlinearity = $v:tt) => {
        $k.nonlinearity = ::core::option::Option::Some($crate::__act!($v))
    };
    ($k:ident; $other:ident = $v:tt) => {
        ::core::compile_error!(::core::concat!(
            "network!: kaiming takes a, mode and nonlinearity, not `",
            ::core::stringify!($other),
            "`"
        ))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __variance_arg {
    ($v:ident; scale = $x:tt) => {
        $v.scale = ($x) as f64
    };
    ($v:ident; mode = $x:tt) => {
        $v.mode = $crate::__mode!($x)
    };
    ($v:ident; distribution = uniform) => {
        $v.distribution = ::glorot::VarianceDistribution::Uniform
    };
    ($v:ident; distribution = normal) => {
        $v.distribution = ::glorot::VarianceDistribution::Normal
    };
    ($v:ident; distribution = truncated_normal) => {
        $v.distribution = ::glorot::VarianceDistribution::TruncatedNormal
    };
    ($v:ident; $other:ident = $x:tt) => {
        ::core::compile_error!(::core::concat!(
            "network!: variance_scaling takes scale, mode and distribution ",
            "(uniform, normal, truncated_normal), not `",
            ::core::stringify!($other),
            " = ",
            ::core::stringify!($x),
            "`"
        ))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __orthogonal_arg {
    ($o:ident; $init:ident; scale = $v:expr) => {
        $o.scale = ($v) as f64
    };
    ($o:ident; $init:ident; column_axis = $v:expr) => {
        $o.column_axis = ($v) as isize
    };
    ($o:ident; $init:ident; $other:ident = $v:expr) => {
        ::core::compile_error!(::core::concat!(
            "network!: ",
            ::core::stringify!($init),
            " takes scale and column_axis (JAX's names), not `",
            ::core::stringify!($other),
            "`"
        ))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __sparse_arg {
    ($s:ident; sparsity = $v:expr) => {
        $s.sparsity = ($v) as f64
    };
    ($s:ident; std = $v:expr) => {
        $s.std = ($v) as f64
    };
    ($s:ident; $other:ident = $v:expr) => {
        ::core::compile_error!(::core::concat!(
            "network!: sparse takes sparsity and std (PyTorch's names), not `",
            ::core::stringify!($other),
            "`"
        ))
    };
}
