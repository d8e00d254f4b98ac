//! The pre-chat form ("Before we start"): the visitor's name and email before the first message,
//! as a pure component. Required: both must be valid before the composer appears. Optional: each
//! field may stay empty, and "Skip" goes straight to the composer.

use shared::{domain::visitor_name, Email};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What the visitor gave, each part validated; `None` where a field of the optional form was left
/// empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub name: Option<String>,
    pub email: Option<Email>,
}

impl Contact {
    /// Checks what was typed. A field left empty is an error only when `required`; a field with
    /// text must be valid either way.
    pub fn parse(name: &str, email: &str, required: bool) -> Result<Self, Vec<&'static str>> {
        let mut errors = Vec::new();
        let name = match name.trim() {
            "" if required => Err("Please enter your name."),
            "" => Ok(None),
            s => visitor_name(s).map(Some).map_err(|_| "Your name can have up to 80 characters."),
        };
        let email = match email.trim() {
            "" if required => Err("Please enter your email."),
            "" => Ok(None),
            s => Email::parse(s).map(Some).map_err(|_| "Please enter an email address like name@example.com."),
        };
        let name = name.map_err(|e| errors.push(e)).ok().flatten();
        let email = email.map_err(|e| errors.push(e)).ok().flatten();
        if errors.is_empty() {
            Ok(Self { name, email })
        } else {
            Err(errors)
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct PrechatFormProps {
    /// Both fields must be filled; there is no "Skip".
    pub required: bool,
    /// "Start chat" with valid input (possibly all empty, for the optional form).
    pub onsubmit: Callback<Contact>,
    /// "Skip" (optional form only).
    pub onskip: Callback<()>,
}

#[function_component(PrechatForm)]
pub fn prechat_form(props: &PrechatFormProps) -> Html {
    let (name, email) = (use_node_ref(), use_node_ref());
    let errors = use_state(Vec::<&'static str>::new);
    let onsubmit = {
        let (name, email, errors, required, onsubmit) = (name.clone(), email.clone(), errors.clone(), props.required, props.onsubmit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            match Contact::parse(&value(&name), &value(&email), required) {
                Ok(contact) => onsubmit.emit(contact),
                Err(e) => errors.set(e),
            }
        })
    };
    let onskip = props.onskip.reform(|_: MouseEvent| ());
    let invalid = |what: &str| errors.iter().any(|e| e.contains(what)).to_string();
    html! {
        <form class="pvx-form pvx-prechat" aria-labelledby="pvx-prechat-title" novalidate=true {onsubmit}>
            <h2 id="pvx-prechat-title">{ "Before we start" }</h2>
            <label for="pvx-prechat-name">{ "Your name" }</label>
            <input id="pvx-prechat-name" ref={name} autocomplete="name" required={props.required}
                aria-invalid={invalid("name")} />
            <label for="pvx-prechat-email">{ "Your email" }</label>
            <input id="pvx-prechat-email" ref={email} type="email" autocomplete="email" required={props.required}
                aria-invalid={invalid("email")} />
            if !errors.is_empty() {
                <p class="pvx-error" role="alert">{ errors.join(" ") }</p>
            }
            <div class="pvx-form-actions">
                <button type="submit">{ "Start chat" }</button>
                if !props.required {
                    <button type="button" class="pvx-secondary" onclick={onskip}>{ "Skip" }</button>
                }
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_needs_both_fields() {
        assert_eq!(Contact::parse("", "", true), Err(vec!["Please enter your name.", "Please enter your email."]));
        assert!(Contact::parse("Ana", "not an email", true).is_err());
        let c = Contact::parse(" Ana ", "Ana@Example.com", true).unwrap();
        assert_eq!((c.name.as_deref(), c.email.as_ref().map(Email::as_str)), (Some("Ana"), Some("ana@example.com")));
    }

    #[test]
    fn optional_allows_empty_but_not_invalid() {
        assert_eq!(Contact::parse(" ", "", false), Ok(Contact::default()));
        assert_eq!(Contact::parse("Ana", "", false), Ok(Contact { name: Some("Ana".into()), email: None }));
        assert!(Contact::parse("", "nope", false).is_err());
        assert!(Contact::parse(&"x".repeat(81), "", false).is_err());
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

    type Log = Rc<RefCell<Vec<Option<Contact>>>>;

    async fn render(required: bool) -> (web_sys::Element, Log) {
        let log: Log = Rc::default();
        let (submitted, skipped) = (log.clone(), log.clone());
        let props = PrechatFormProps {
            required,
            onsubmit: Callback::from(move |c| submitted.borrow_mut().push(Some(c))),
            onskip: Callback::from(move |()| skipped.borrow_mut().push(None)),
        };
        let root = mount::<PrechatForm>(props).await;
        (root, log)
    }

    #[wasm_bindgen_test]
    async fn required_form_refuses_until_both_fields_are_valid() {
        let (root, log) = render(true).await;
        assert_eq!(root.query_selector("h2").unwrap().unwrap().text_content().as_deref(), Some("Before we start"));
        assert!(button(&root, "Skip").is_none(), "no Skip when the form is required");
        button(&root, "Start chat").unwrap().click();
        tick().await;
        let alert = root.query_selector("[role=alert]").unwrap().expect("an alert");
        assert!(alert.text_content().unwrap().contains("Please enter your name."));
        assert_eq!(field(&root, "Your name").get_attribute("aria-invalid").as_deref(), Some("true"));
        field(&root, "Your name").set_value("Ana");
        field(&root, "Your email").set_value("ana@");
        button(&root, "Start chat").unwrap().click();
        tick().await;
        assert!(log.borrow().is_empty(), "nothing is sent while a field is invalid");
        field(&root, "Your email").set_value("Ana@Example.com");
        button(&root, "Start chat").unwrap().click();
        tick().await;
        let email = Email::parse("ana@example.com").unwrap();
        assert_eq!(*log.borrow(), vec![Some(Contact { name: Some("Ana".into()), email: Some(email) })]);
    }

    #[wasm_bindgen_test]
    async fn optional_form_can_be_skipped() {
        let (root, log) = render(false).await;
        button(&root, "Skip").expect("a Skip button").click();
        tick().await;
        assert_eq!(*log.borrow(), vec![None]);
    }
}
