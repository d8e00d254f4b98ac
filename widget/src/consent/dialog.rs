//! The banner (three buttons of equal weight) and the preferences (one switch per category), as
//! a pure component: everything comes in as props and every choice goes out as a callback, so it
//! renders the same in the widget and in its browser tests.

use super::labels::{labels, Labels};
use shared::consent::{Category, Choices, ConsentConfig, Method};
use yew::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Banner,
    Preferences,
}

#[derive(Properties, PartialEq)]
pub struct DialogProps {
    pub mode: Mode,
    pub config: ConsentConfig,
    /// Where the switches start: the current decision, or everything off.
    pub initial: Choices,
    /// Whether Global Privacy Control is on (the page's signal or the edge's header).
    pub gpc: bool,
    /// The last decision could not be saved.
    pub failed: bool,
    pub ondecide: Callback<(Method, Choices)>,
    /// "Customize" on the banner.
    pub oncustomize: Callback<()>,
    /// Close or Escape in the preferences: decides nothing.
    pub onclose: Callback<()>,
}

#[function_component(Dialog)]
pub fn dialog(props: &DialogProps) -> Html {
    let choices = use_state(|| props.initial);
    let config = &props.config;
    let l = labels(config.lang);
    let decide = |method: Method, choices: Choices| {
        let ondecide = props.ondecide.clone();
        Callback::from(move |_: MouseEvent| ondecide.emit((method, choices)))
    };
    let onkeydown = {
        let (onclose, mode) = (props.onclose.clone(), props.mode);
        Callback::from(move |e: KeyboardEvent| {
            // Escape closes the preferences without deciding anything; on the banner it does nothing.
            if e.key() == "Escape" && mode == Mode::Preferences {
                onclose.emit(());
            }
        })
    };
    let gpc_notice = props.gpc.then(|| html! { <p class="pvx-gpc">{ l.gpc }</p> });
    let error = props.failed.then(|| html! { <p class="pvx-error" role="alert">{ l.failed }</p> });
    let policy = html! { <a href={config.policy_url.clone()} target="_blank" rel="noopener">{ l.policy }</a> };
    let accept = decide(Method::AcceptAll, Choices::all());
    let reject = decide(Method::RejectAll, Choices::none());

    match props.mode {
        Mode::Banner => {
            let oncustomize = props.oncustomize.reform(|_: MouseEvent| ());
            html! {
                <section class="pvx-consent pvx-banner" role="dialog" aria-modal="false" tabindex="-1"
                    aria-labelledby="pvx-consent-title" aria-describedby="pvx-consent-text" {onkeydown}>
                    <div class="pvx-consent-text">
                        <h2 id="pvx-consent-title">{ &config.text.title }</h2>
                        <p id="pvx-consent-text">{ &config.text.text }{ " " }{ policy }</p>
                        { for gpc_notice }
                        { for error }
                    </div>
                    <div class="pvx-actions">
                        <button onclick={accept}>{ l.accept_all }</button>
                        <button onclick={reject}>{ l.reject_all }</button>
                        <button onclick={oncustomize}>{ l.customize }</button>
                    </div>
                </section>
            }
        }
        Mode::Preferences => {
            let save = decide(Method::Custom, *choices);
            let close = props.onclose.reform(|_: MouseEvent| ());
            html! {
                <section class="pvx-consent pvx-prefs" role="dialog" aria-modal="true" tabindex="-1"
                    aria-labelledby="pvx-consent-title" {onkeydown}>
                    <header>
                        <h2 id="pvx-consent-title">{ l.preferences }</h2>
                        <button class="pvx-x" aria-label={l.close} title={l.close} onclick={close}>{ "×" }</button>
                    </header>
                    <p>{ &config.text.text }{ " " }{ policy }</p>
                    { for gpc_notice }
                    <ul class="pvx-categories">
                        { category_switch("necessary", &config.text.necessary.name, &config.text.necessary.description, true, None, l) }
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
                            category_switch(category_id(c), &text.name, &text.description, choices.get(c), Some(toggle), l)
                        }) }
                    </ul>
                    { for error }
                    <div class="pvx-actions">
                        <button onclick={reject}>{ l.reject_all }</button>
                        <button onclick={accept}>{ l.accept_all }</button>
                        <button onclick={save}>{ l.save }</button>
                    </div>
                </section>
            }
        }
    }
}

fn category_id(c: Category) -> &'static str {
    match c {
        Category::Preferences => "preferences",
        Category::Analytics => "analytics",
        Category::Marketing => "marketing",
    }
}

/// One category: a switch labelled with its name and described by its description. Necessary
/// is shown on and locked.
fn category_switch(id: &str, name: &str, description: &str, on: bool, onchange: Option<Callback<Event>>, l: &Labels) -> Html {
    let (input, desc) = (format!("pvx-c-{id}"), format!("pvx-c-{id}-d"));
    let locked = onchange.is_none();
    html! {
        <li class="pvx-category">
            <div class="pvx-category-head">
                <label for={input.clone()}>{ name }</label>
                if locked { <span class="pvx-always">{ l.always_on }</span> }
                <input id={input} type="checkbox" role="switch" checked={on} disabled={locked}
                    aria-describedby={desc.clone()} {onchange} />
            </div>
            <p id={desc}>{ description }</p>
        </li>
    }
}

/// In headless Chromium: `cargo test -p widget --target wasm32-unknown-unknown`.
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests {
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

    fn config(lang: Lang) -> ConsentConfig {
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
        }
    }

    type Decisions = Rc<RefCell<Vec<(Method, Choices)>>>;

    async fn render(mode: Mode, config: ConsentConfig, gpc: bool) -> (Element, Decisions) {
        let decisions: Decisions = Rc::default();
        let ondecide = {
            let decisions = decisions.clone();
            Callback::from(move |d| decisions.borrow_mut().push(d))
        };
        let props = DialogProps {
            mode,
            config,
            initial: Choices::none(),
            gpc,
            failed: false,
            ondecide,
            oncustomize: Callback::noop(),
            onclose: Callback::noop(),
        };
        (mount::<Dialog>(props).await, decisions)
    }

    fn buttons(root: &Element) -> Vec<HtmlElement> {
        let list = root.query_selector_all(".pvx-actions button").unwrap();
        (0..list.length()).map(|i| list.get(i).unwrap().unchecked_into()).collect()
    }

    #[wasm_bindgen_test]
    async fn the_banner_offers_three_equal_choices_in_the_visitors_language() {
        let (root, decisions) = render(Mode::Banner, config(Lang::De), false).await;
        let dialog = root.query_selector("[role=dialog]").unwrap().expect("a dialog");
        assert_eq!(dialog.get_attribute("aria-labelledby").as_deref(), Some("pvx-consent-title"));
        let names: Vec<String> = buttons(&root).iter().map(|b| b.text_content().unwrap()).collect();
        assert_eq!(names, ["Alle akzeptieren", "Alle ablehnen", "Anpassen"]);
        // Equal weight: the same class and no button styled apart.
        assert!(buttons(&root).iter().all(|b| b.class_name().is_empty()));
        let link = root.query_selector("a").unwrap().unwrap();
        assert_eq!(link.get_attribute("href").as_deref(), Some("https://shop.example/privacy"));
        assert!(root.query_selector(".pvx-gpc").unwrap().is_none(), "no GPC notice without GPC");
        buttons(&root)[1].click();
        assert_eq!(*decisions.borrow(), vec![(Method::RejectAll, Choices::none())]);
    }

    #[wasm_bindgen_test]
    async fn the_banner_says_when_gpc_is_honoured() {
        let (root, _) = render(Mode::Banner, config(Lang::En), true).await;
        let notice = root.query_selector(".pvx-gpc").unwrap().expect("a GPC notice");
        assert!(notice.text_content().unwrap().contains("Global Privacy Control"));
    }

    #[wasm_bindgen_test]
    async fn preferences_lock_necessary_and_save_what_was_switched() {
        let (root, decisions) = render(Mode::Preferences, config(Lang::En), false).await;
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
