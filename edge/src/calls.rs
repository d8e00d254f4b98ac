//! Typed calls between the edge and its Durable Objects.
//!
//! Each object declares its one request enum with [`requests!`]: every variant is a struct of its
//! own, tied by [`Ask`] to the type of its answer, and the object implements the generated handler
//! trait, one method per variant. A call site names the request, never a path, and gets back the
//! answer type the object's handler returns: a typo or a changed answer shape no longer compiles.
//! On the wire a request is `POST https://object/ask` with `{"<variant>": {...fields}}`, or
//! `{"<variant>": null}` for one without fields: serde's external tagging, which decodes straight
//! from the body (an internally tagged `{"op": ...}` buffers each request first and cost the
//! worker ~32 KB gzip of extra decoders).

use serde::{de::DeserializeOwned, Serialize};

/// A request to one kind of object, and what it answers.
pub trait Ask: Into<Self::Request> {
    /// The object's request enum.
    type Request: Serialize + DeserializeOwned;
    /// What the object answers.
    type Answer: Serialize + DeserializeOwned;
}

/// Declares an object's request enum, one struct per request with its answer type, and the
/// handler trait the object implements:
///
/// ```ignore
/// requests! {
///     /// What the rate limiter is asked.
///     pub enum LimiterRequest handled by LimiterCalls {
///         /// Count one hit.
///         hit: Hit { limit: u32, window_ms: i64 } -> Verdict;
///     }
/// }
/// ```
#[macro_export]
macro_rules! requests {
    // A request without fields is a unit struct (`null` on the wire): its decoder is the
    // cheapest serde has, and `Name {}` still builds it.
    (@struct $(#[$vmeta:meta])* $variant:ident {}) => {
        $(#[$vmeta])*
        #[derive(serde::Serialize, serde::Deserialize)]
        pub struct $variant;
    };
    (@struct $(#[$vmeta:meta])* $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),+ }) => {
        $(#[$vmeta])*
        #[derive(serde::Serialize, serde::Deserialize)]
        pub struct $variant {
            $( $(#[$fmeta])* pub $field: $fty, )+
        }
    };
    (
        $(#[$meta:meta])*
        pub enum $enum:ident handled by $handler:ident {
            $(
                $(#[$vmeta:meta])*
                $method:ident: $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* $(,)? } -> $answer:ty;
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $enum {
            $( $(#[$vmeta])* $variant($variant), )*
        }

        $(
            $crate::requests!(@struct $(#[$vmeta])* $variant { $( $(#[$fmeta])* $field : $fty ),* });

            impl From<$variant> for $enum {
                fn from(request: $variant) -> Self {
                    Self::$variant(request)
                }
            }

            impl $crate::calls::Ask for $variant {
                type Request = $enum;
                type Answer = $answer;
            }
        )*

        /// What the object does with each request; its glue implements this, one method a request.
        // Objects run on one thread (wasm32): the futures need no `Send` bound, which is what
        // this lint is about.
        #[allow(async_fn_in_trait)]
        pub trait $handler {
            $( async fn $method(&self, request: $variant) -> $crate::error::EdgeResult<$answer>; )*
        }

        impl $enum {
            /// The one decoding entry point: parses a request body.
            pub fn decode(body: &[u8]) -> $crate::error::EdgeResult<Self> {
                Ok(serde_json::from_slice(body)?)
            }

            /// Runs the request on `handler` and encodes its answer as JSON.
            pub async fn dispatch<H: $handler>(self, handler: &H) -> $crate::error::EdgeResult<String> {
                match self {
                    $( Self::$variant(request) => Ok(serde_json::to_string(&handler.$method(request).await?)?), )*
                }
            }

            /// An object's `fetch` for typed requests: decode, dispatch, answer (errors mapped once).
            #[cfg(target_arch = "wasm32")]
            pub async fn serve<H: $handler>(handler: &H, mut req: worker::Request) -> worker::Result<worker::Response> {
                let body = $crate::glue::request_body(&mut req).await;
                $crate::glue::answer(async { Self::decode(&body?)?.dispatch(handler).await }.await)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::error::{EdgeError, EdgeResult};

    crate::requests! {
        /// A toy object's requests.
        pub enum ToyRequest handled by ToyCalls {
            /// Adds two numbers.
            add: Add { a: i64, b: i64 } -> i64;
            /// Says hello, or refuses.
            greet: Greet { #[serde(default)] name: Option<String> } -> String;
            /// Counts nothing.
            zero: Zero {} -> i64;
        }
    }

    struct Toy;

    impl ToyCalls for Toy {
        async fn add(&self, r: Add) -> EdgeResult<i64> {
            Ok(r.a + r.b)
        }
        async fn greet(&self, r: Greet) -> EdgeResult<String> {
            r.name.map(|n| format!("hello {n}")).ok_or(EdgeError::NotFound)
        }
        async fn zero(&self, _: Zero) -> EdgeResult<i64> {
            Ok(0)
        }
    }

    fn run<F: std::future::Future>(f: F) -> F::Output {
        // The toy handler never awaits anything pending, so one poll completes it.
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(v) => v,
            std::task::Poll::Pending => panic!("the toy handler does not wait"),
        }
    }

    fn wire<A: crate::calls::Ask>(request: A) -> String {
        serde_json::to_string(&request.into()).unwrap()
    }

    #[test]
    fn a_request_travels_tagged_and_comes_back_typed() {
        let body = wire(Add { a: 2, b: 3 });
        assert_eq!(body, r#"{"add":{"a":2,"b":3}}"#);
        let answer = run(ToyRequest::decode(body.as_bytes()).unwrap().dispatch(&Toy)).unwrap();
        let typed: <Add as crate::calls::Ask>::Answer = serde_json::from_str(&answer).unwrap();
        assert_eq!(typed, 5);
    }

    #[test]
    fn a_request_without_fields_travels_as_null() {
        let body = wire(Zero {});
        assert_eq!(body, r#"{"zero":null}"#);
        assert_eq!(run(ToyRequest::decode(body.as_bytes()).unwrap().dispatch(&Toy)).unwrap(), "0");
    }

    #[test]
    fn a_handler_error_is_the_answer_and_a_bad_body_is_malformed() {
        let body = wire(Greet { name: None });
        let err = run(ToyRequest::decode(body.as_bytes()).unwrap().dispatch(&Toy)).unwrap_err();
        assert!(matches!(err, EdgeError::NotFound));
        assert!(matches!(ToyRequest::decode(br#"{"nope":{}}"#), Err(EdgeError::MalformedBody(_))));
        let answer = run(ToyRequest::decode(br#"{"greet":{"name":"ada"}}"#).unwrap().dispatch(&Toy)).unwrap();
        assert_eq!(answer, r#""hello ada""#);
    }
}
