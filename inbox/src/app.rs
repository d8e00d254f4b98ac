//! Root component: asks the edge who is signed in, then shows the sign-in form or the inbox.

use crate::components::{inbox::Inbox, sign_in::SignIn};
use shared::api::Me;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Phase {
    Checking,
    SignedOut,
    SignedIn(Me),
}

#[function_component(App)]
pub fn app() -> Html {
    let phase = use_state(|| Phase::Checking);
    {
        let phase = phase.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                phase.set(match client::http::get::<Me>("/api/v1/me").await {
                    Ok(me) => Phase::SignedIn(me),
                    Err(_) => Phase::SignedOut,
                });
            });
        });
    }
    let onsignedin = {
        let phase = phase.clone();
        Callback::from(move |me: Me| phase.set(Phase::SignedIn(me)))
    };
    let onsignedout = {
        let phase = phase.clone();
        Callback::from(move |()| phase.set(Phase::SignedOut))
    };
    match &*phase {
        Phase::Checking => html! { <main class="center"><p role="status">{ "Loading…" }</p></main> },
        Phase::SignedOut => html! { <SignIn {onsignedin} /> },
        Phase::SignedIn(me) => html! { <Inbox me={me.clone()} {onsignedout} /> },
    }
}
