//! The privacy preferences (one switch per category) as a pure component: everything comes in as
//! props and every choice goes out as a callback, so it renders the same in the widget and in its
//! browser tests. Below the choices, when the view names the visitor, the preferences hold "Your
//! data" (`your_data.rs`, which asks the edge itself). The banner itself is not here: the edge
//! draws it for the loader (`edge/src/banner.rs`) from the same labels (`shared::consent_labels`),
//! so a first visit loads no WASM.

use super::your_data::YourData;
use crate::bridge::Embedding;
use shared::consent::{Category, Choices, ConsentConfig, Method};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct DialogProps {
    /// Shared, not copied: the configuration holds some thirty labels (see the `PartialEq` below).
    pub config: Rc<ConsentConfig>,
    /// Where the switches start: the current decision, or everything off.
    pub initial: Choices,
    /// Whether Global Privacy Control is on (the page's signal or the edge's header).
    pub gpc: bool,
    /// The last decision could not be saved.
    pub failed: bool,
    pub ondecide: Callback<(Method, Choices)>,
    /// Close or Escape: decides nothing.
    pub onclose: Callback<()>,
    /// The visitor-facing notice the edge generates from the site's settings (`/privacy/SITE`).
    pub notice_url: AttrValue,
    /// "Your data" below the choices: where the widget is embedded and the visitor token the site
    /// keeps. (A plain prop rather than children: comparing children would cost the widget a
    /// virtual-DOM comparison it does not otherwise need.)
    #[prop_or_default]
    pub your_data: Option<(Embedding, AttrValue)>,
}

/// By hand rather than derived: the configuration is compared by identity (it is decoded once and
/// never changed in place), so the widget carries no field-by-field comparison of it and its
/// labels, and a re-render of the view does not walk them.
impl PartialEq for DialogProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.config, &other.config)
            && self.initial == other.initial
            && self.gpc == other.gpc
            && self.failed == other.failed
            && self.ondecide == other.ondecide
            && self.onclose == other.onclose
            && self.notice_url == other.notice_url
            && self.your_data == other.your_data
    }
}

#[function_component(Dialog)]
pub fn dialog(props: &DialogProps) -> Html {
    let choices = use_state(|| props.initial);
    let config = &props.config;
    // The edge sends the words with the configuration (`labels=1`), in its language.
    let Some(labels) = &config.labels else { return html! {} };
    let l = &labels.consent;
    let decide = |method: Method, choices: Choices| {
        let ondecide = props.ondecide.clone();
        Callback::from(move |_: MouseEvent| ondecide.emit((method, choices)))
    };
    let onkeydown = {
        let onclose = props.onclose.clone();
        Callback::from(move |e: KeyboardEvent| {
            // Escape closes without deciding anything.
            if e.key() == "Escape" {
                onclose.emit(());
            }
        })
    };
    let gpc_notice = props.gpc.then(|| html! { <p class="pvx-gpc">{ &*l.gpc }</p> });
    let error = props.failed.then(|| html! { <p class="pvx-error" role="alert">{ &*l.failed }</p> });
    // The owner's own policy (when they gave one) and the notice generated from their settings.
    let links = html! {
        <>
            if !config.policy_url.is_empty() {
                <a href={config.policy_url.clone()} target="_blank" rel="noopener">{ &*l.policy }</a>{ " · " }
            }
            <a href={props.notice_url.clone()} target="_blank" rel="noopener">{ &*l.notice }</a>
        </>
    };
    let accept = decide(Method::AcceptAll, Choices::all());
    let reject = decide(Method::RejectAll, Choices::none());
    let save = decide(Method::Custom, *choices);
    let close = props.onclose.reform(|_: MouseEvent| ());
    html! {
        <section class="pvx-consent pvx-prefs" role="dialog" aria-modal="true" tabindex="-1"
            aria-labelledby="pvx-consent-title" {onkeydown}>
            <header>
                <h2 id="pvx-consent-title">{ &*l.preferences }</h2>
                <button class="pvx-x" aria-label={l.close.clone()} title={l.close.clone()} onclick={close}>{ "×" }</button>
            </header>
            <p>{ &config.text.text }{ " " }{ links }</p>
            { for gpc_notice }
            <ul class="pvx-categories">
                { labelled_switch("necessary", &config.text.necessary.name, &config.text.necessary.description, true, None, Some(&l.always_on)) }
                { for config.categories.iter().map(|&c| {
                    let text = config.text.category(c);
                    let toggle = {
                        let choices = choices.clone();
                        Callback::from(move |_: Event| {
                            let mut next = *choices;
                            next.set(c, !next.get(c));
                            choices.set(next);
                        })
                    };
                    labelled_switch(category_id(c), &text.name, &text.description, choices.get(c), Some(toggle), None)
                }) }
            </ul>
            { for error }
            <div class="pvx-actions">
                <button onclick={reject}>{ &*l.reject_all }</button>
                <button onclick={accept}>{ &*l.accept_all }</button>
                <button onclick={save}>{ &*l.save }</button>
            </div>
            if let Some((embedding, token)) = props.your_data.clone() {
                <YourData {embedding} {token} config={props.config.clone()} />
            }
        </section>
    }
}

fn category_id(c: Category) -> &'static str {
    match c {
        Category::Preferences => "preferences",
        Category::Analytics => "analytics",
        Category::Marketing => "marketing",
    }
}

/// One switch in a list (a category, or a restriction in "Your data"), labelled with its name and
/// described by its description. Without `onchange` it is locked, as necessary is ("Always on").
pub(super) fn labelled_switch(
    id: &str,
    name: &str,
    description: &str,
    on: bool,
    onchange: Option<Callback<Event>>,
    badge: Option<&str>,
) -> Html {
    let (input, desc) = (format!("pvx-c-{id}"), format!("pvx-c-{id}-d"));
    let locked = onchange.is_none();
    html! {
        <li class="pvx-category">
            <div class="pvx-category-head">
                <label for={input.clone()}>{ name }</label>
                if let Some(badge) = badge { <span class="pvx-always">{ badge }</span> }
                <input id={input} type="checkbox" role="switch" checked={on} disabled={locked}
                    aria-describedby={desc.clone()} {onchange} />
            </div>
            <p id={desc}>{ description }</p>
        </li>
    }
}

/// In headless Chromium: `cargo test -p widget --target wasm32-unknown-unknown`.
#[cfg(all(test, target_arch = "wasm32"))]
pub(in crate::consent) mod browser_tests {
    use super::*;
    use crate::test_support::{mount, tick};
    use shared::consent::{BannerText, CategoryText, Lang};
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_test::*;
    use web_sys::{Element, HtmlElement, HtmlInputElement};

    wasm_bindgen_test_configure!(run_in_browser);

    fn text(name: &str) -> CategoryText {
        CategoryText { name: name.into(), description: format!("What {name} does.") }
    }

    /// A configuration with every label in `lang` (also for `your_data`'s tests).
    pub(in crate::consent) fn config(lang: Lang) -> ConsentConfig {
        ConsentConfig {
            gpc: false,
            policy_url: "https://shop.example/privacy".into(),
            policy_version: 3,
            lifetime_days: 365,
            lang,
            categories: Category::ALL.to_vec(),
            text: BannerText {
                title: "Cookies".into(),
                text: "We use cookies.".into(),
                necessary: text("Necessary"),
                preferences: text("Preferences"),
                analytics: text("Analytics"),
                marketing: text("Marketing"),
            },
            launcher: Default::default(),
            banner: None,
            labels: Some(shared::consent_labels::WidgetLabels::of(lang)),
            launcher_labels: None,
        }
    }

    type Decisions = Rc<RefCell<Vec<(Method, Choices)>>>;

    async fn render(config: ConsentConfig, gpc: bool) -> (Element, Decisions, Rc<RefCell<u32>>) {
        let decisions: Decisions = Rc::default();
        let ondecide = {
            let decisions = decisions.clone();
            Callback::from(move |d| decisions.borrow_mut().push(d))
        };
        let closed: Rc<RefCell<u32>> = Rc::default();
        let onclose = {
            let closed = closed.clone();
            Callback::from(move |()| *closed.borrow_mut() += 1)
        };
        let props = DialogProps {
            config: Rc::new(config),
            initial: Choices::none(),
            gpc,
            failed: false,
            ondecide,
            onclose,
            notice_url: "/privacy/shop".into(),
            your_data: None,
        };
        (mount::<Dialog>(props).await, decisions, closed)
    }

    fn buttons(root: &Element) -> Vec<HtmlElement> {
        let list = root.query_selector_all(".pvx-actions button").unwrap();
        (0..list.length()).map(|i| list.get(i).unwrap().unchecked_into()).collect()
    }

    #[wasm_bindgen_test]
    async fn preferences_link_the_policy_and_the_notice_and_say_when_gpc_is_honoured() {
        let (root, _, _) = render(config(Lang::De), false).await;
        let dialog = root.query_selector("[role=dialog]").unwrap().expect("a dialog");
        assert_eq!(dialog.get_attribute("aria-labelledby").as_deref(), Some("pvx-consent-title"));
        let links = root.query_selector_all("a").unwrap();
        let link = |i| links.get(i).unwrap().unchecked_into::<Element>();
        assert_eq!(link(0).get_attribute("href").as_deref(), Some("https://shop.example/privacy"));
        assert_eq!(link(1).get_attribute("href").as_deref(), Some("/privacy/shop"));
        assert_eq!(link(1).text_content().as_deref(), Some("Wie diese Website Ihre Daten nutzt"));
        assert!(root.query_selector(".pvx-gpc").unwrap().is_none(), "no GPC notice without GPC");
        let (root, _, _) = render(config(Lang::En), true).await;
        let notice = root.query_selector(".pvx-gpc").unwrap().expect("a GPC notice");
        assert!(notice.text_content().unwrap().contains("Global Privacy Control"));
    }

    #[wasm_bindgen_test]
    async fn escape_closes_without_deciding() {
        let (root, decisions, closed) = render(config(Lang::En), false).await;
        let dialog: HtmlElement = root.query_selector("[role=dialog]").unwrap().unwrap().unchecked_into();
        let init = web_sys::KeyboardEventInit::new();
        init.set_key("Escape");
        init.set_bubbles(true);
        let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        dialog.dispatch_event(&event).unwrap();
        assert_eq!(*closed.borrow(), 1);
        assert!(decisions.borrow().is_empty(), "Escape decides nothing");
    }

    #[wasm_bindgen_test]
    async fn preferences_lock_necessary_and_save_what_was_switched() {
        let (root, decisions, _) = render(config(Lang::En), false).await;
        let switch = |id: &str| -> HtmlInputElement {
            root.query_selector(&format!("#pvx-c-{id}")).unwrap().expect(id).unchecked_into()
        };
        assert!(switch("necessary").checked() && switch("necessary").disabled());
        for id in ["preferences", "analytics", "marketing"] {
            assert!(!switch(id).checked(), "{id} starts off");
            assert_eq!(switch(id).get_attribute("role").as_deref(), Some("switch"));
        }
        switch("analytics").click();
        tick().await;
        let save = buttons(&root).into_iter().find(|b| b.text_content().as_deref() == Some("Save choices")).unwrap();
        save.click();
        let expected = Choices { preferences: false, analytics: true, marketing: false };
        assert_eq!(*decisions.borrow(), vec![(Method::Custom, expected)]);
    }
}
