//! While nobody is available: the site's offline message and a form for the visitor's email, so
//! the team can answer later. A pure component; the panel sends the email on the socket.

use shared::Email;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct OfflineProps {
    pub message: AttrValue,
    /// An email the visitor already gave (in the pre-chat form): no need to ask again.
    #[prop_or_default]
    pub known: Option<AttrValue>,
    /// "Save email" with a valid address.
    pub onsave: Callback<Email>,
}

#[function_component(Offline)]
pub fn offline(props: &OfflineProps) -> Html {
    let input = use_node_ref();
    let saved = use_state(|| None::<AttrValue>);
    let error = use_state(|| false);
    let onsubmit = {
        let (input, saved, error, onsave) = (input.clone(), saved.clone(), error.clone(), props.onsave.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = input.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            match Email::parse(&value) {
                Ok(email) => {
                    saved.set(Some(email.to_string().into()));
                    onsave.emit(email);
                }
                Err(_) => error.set(true),
            }
        })
    };
    let known = (*saved).clone().or_else(|| props.known.clone());
    html! {
        <div class="pvx-greeting pvx-offline">
            <p>{ &props.message }</p>
            if let Some(email) = known {
                <p role="status">{ format!("We'll reply to {email}.") }</p>
            } else {
                <form class="pvx-form pvx-inline" novalidate={true} {onsubmit}>
                    <label for="pvx-offline-email">{ "Your email" }</label>
                    <input id="pvx-offline-email" ref={input} type="email" autocomplete="email" aria-invalid={error.to_string()} />
                    <button type="submit">{ "Save email" }</button>
                    if *error {
                        <p class="pvx-error" role="alert">{ "Please enter an email address like name@example.com." }</p>
                    }
                </form>
            }
        </div>
    }
}

/// In headless Chromium: `cargo test -p widget --target wasm32-unknown-unknown`.
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
    use super::*;
    use crate::test_support::{button, field, mount, tick};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn the_offline_form_checks_the_email_then_confirms_it() {
        let saved: Rc<RefCell<Vec<Email>>> = Rc::default();
        let props = OfflineProps {
            message: "We're away. Leave your email.".into(),
            known: None,
            onsave: {
                let saved = saved.clone();
                Callback::from(move |e| saved.borrow_mut().push(e))
            },
        };
        let root = mount::<Offline>(props).await;
        assert!(root.text_content().unwrap().contains("We're away. Leave your email."));
        field(&root, "Your email").set_value("ana at example");
        button(&root, "Save email").unwrap().click();
        tick().await;
        assert!(root.query_selector("[role=alert]").unwrap().is_some(), "an invalid address is refused");
        assert!(saved.borrow().is_empty());
        field(&root, "Your email").set_value(" Ana@Example.com ");
        button(&root, "Save email").unwrap().click();
        tick().await;
        assert_eq!(*saved.borrow(), vec![Email::parse("ana@example.com").unwrap()]);
        let status = root.query_selector("[role=status]").unwrap().expect("a confirmation");
        assert_eq!(status.text_content().as_deref(), Some("We'll reply to ana@example.com."));
        assert!(button(&root, "Save email").is_none(), "the form is gone");
    }

    #[wasm_bindgen_test]
    async fn an_email_from_the_prechat_form_is_not_asked_again() {
        let props = OfflineProps { message: "Away.".into(), known: Some("ana@example.com".into()), onsave: Callback::noop() };
        let root = mount::<Offline>(props).await;
        assert!(root.query_selector("input").unwrap().is_none());
        assert!(root.text_content().unwrap().contains("We'll reply to ana@example.com."));
    }
}
