//! "Your data" in the privacy choices: the visitor's own rights over what the site holds about
//! them (download, correct, stop analytics, pause processing, delete), each one request to
//! `POST /api/v1/sites/SITE/my-data` with the visitor token the site keeps. The widget runs on the
//! edge's origin, so these are plain same-origin requests.

use super::data_state::{field, saved_details, DataEvent, DataState, Held, Notice, Part, Phase};
use super::dialog::labelled_switch;
use crate::bridge::{focus, post_to_host, Embedding, ToHost};
use shared::consent::ConsentConfig;
use shared::data_labels::DataLabels;
use shared::privacy::{DataAction, MyDataRequest};
use std::rc::Rc;
use wasm_bindgen::{closure::Closure, prelude::wasm_bindgen, JsCast, JsValue};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct YourDataProps {
    pub embedding: Embedding,
    /// The visitor token the site keeps; empty when it keeps none (nothing is held).
    pub token: AttrValue,
    /// The consent configuration, for the section's words in the visitor's language as the edge
    /// sent them (`labels.data`). The dialog's own copy, shared rather than cloned.
    pub config: Rc<ConsentConfig>,
}

/// By hand: the configuration by identity, as in `DialogProps` (no field-by-field comparison of
/// its labels in the WASM).
impl PartialEq for YourDataProps {
    fn eq(&self, other: &Self) -> bool {
        self.embedding == other.embedding && self.token == other.token && Rc::ptr_eq(&self.config, &other.config)
    }
}

/// Reads what the section shows from the edge's `DataSubject`, field by field (see [`Held`]).
fn held(answer: &JsValue) -> Held {
    let get = |key: &str| js_sys::Reflect::get(answer, &key.into()).unwrap_or_default();
    Held {
        known: get("visitor_id").is_truthy(),
        name: get("name").as_string().unwrap_or_default(),
        email: get("email").as_string().unwrap_or_default(),
        restricted: get("restricted").is_truthy(),
        objected: get("objected").is_truthy(),
    }
}

#[wasm_bindgen]
extern "C" {
    type Blob;
    #[wasm_bindgen(constructor)]
    fn new(parts: &js_sys::Array) -> Blob;
    #[wasm_bindgen(js_namespace = URL, js_name = createObjectURL)]
    fn create_object_url(blob: &Blob) -> String;
    #[wasm_bindgen(js_namespace = URL, js_name = revokeObjectURL)]
    fn revoke_object_url(url: &str);
}

/// Saves `value` as the JSON file `name` (indented, for a person to read), through a link with
/// `download` to an object URL. The URL is let go once the browser has taken the file.
fn save_json(name: &str, value: &JsValue) -> Option<()> {
    let text = js_sys::JSON::stringify_with_replacer_and_space(value, &JsValue::NULL, &2.into()).ok()?;
    let url = create_object_url(&Blob::new(&js_sys::Array::of1(&text)));
    let window = web_sys::window()?;
    let link: web_sys::HtmlElement = window.document()?.create_element("a").ok()?.dyn_into().ok()?;
    link.set_attribute("href", &url).ok()?;
    link.set_attribute("download", name).ok()?;
    link.click();
    let revoke = Closure::once_into_js(move || revoke_object_url(&url));
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 1000).ok()?;
    Some(())
}

/// The answer beside `part`: what was saved (a status) or the edge's refusal (an alert).
fn notice(state: &DataState, part: Part, l: &DataLabels) -> Html {
    match (state.notice(part), &state.phase) {
        (Some(Notice::Saved), Phase::Held(held)) => {
            html! { <p class="pvx-saved" role="status">{ saved_details(&l.saved, held) }</p> }
        }
        (Some(Notice::Failed(message)), _) => html! { <p class="pvx-error" role="alert">{ message }</p> },
        _ => html! {},
    }
}

/// Sends a request from a part of the section; `then` gets the edge's answer, and a refusal
/// shows beside the part. One function for every request keeps one copy of the request's code.
type Send = Rc<dyn Fn(Part, DataAction, Box<dyn FnOnce(JsValue)>)>;

/// What the edge now holds becomes the state, as the answer to `part`.
fn hold(dispatch: &UseReducerDispatcher<DataState>, part: Part) -> Box<dyn FnOnce(JsValue)> {
    let dispatch = dispatch.clone();
    Box::new(move |answer| dispatch.dispatch(DataEvent::Held(part, held(&answer))))
}

#[function_component(YourData)]
pub fn your_data(props: &YourDataProps) -> Html {
    let state = use_reducer(DataState::default);
    let site = &props.embedding.site;
    let send: Send = {
        let (dispatch, path, token) =
            (state.dispatcher(), format!("/api/v1/sites/{site}/my-data"), props.token.clone());
        Rc::new(move |part, request, then| {
            dispatch.dispatch(DataEvent::Sent(part));
            let (dispatch, path) = (dispatch.clone(), path.clone());
            let body = MyDataRequest { token: token.to_string(), request };
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_passing_through(&path, &body).await {
                    Ok(answer) => then(answer),
                    Err(e) => dispatch.dispatch(DataEvent::Refused(part, e)),
                }
            });
        })
    };
    {
        let (send, dispatch) = (send.clone(), state.dispatcher());
        use_effect_with(props.token.clone(), move |token| {
            if !token.is_empty() {
                send(Part::Status, DataAction::Status, hold(&dispatch, Part::Status));
            }
        });
    }
    // Focus follows what replaces the clicked button: the confirmation's safe choice, then the
    // confirmation that everything is gone.
    use_effect_with(state.confirming, |&confirming| {
        if confirming {
            focus("#pvx-erase-cancel");
        }
    });
    use_effect_with(state.phase == Phase::Erased, |&erased| {
        if erased {
            focus("#pvx-erased");
        }
    });
    let (name, email) = (use_node_ref(), use_node_ref());
    // After every hook (they run in the same order each render). The dialog shows this section
    // only with labels; without them there are no words to show.
    let Some(labels) = &props.config.labels else { return html! {} };
    let l = &labels.data;

    let body = match &state.phase {
        // Still said once the page has forgotten the token (it is told at once).
        Phase::Erased => html! { <p id="pvx-erased" class="pvx-saved" role="status" tabindex="-1">{ &*l.erased }</p> },
        _ if props.token.is_empty() => html! { <p>{ &*l.nothing_held }</p> },
        Phase::NothingHeld => html! { <p>{ &*l.nothing_held }</p> },
        // Asked once on opening, answered in a moment: nothing to say meanwhile.
        Phase::Loading => html! {},
        Phase::Unavailable(message) => html! { <p class="pvx-error" role="alert">{ message }</p> },
        Phase::Held(held) => {
            let ondownload = {
                let (send, file) = (send.clone(), format!("my-data-{site}.json"));
                Callback::from(move |_: MouseEvent| {
                    let file = file.clone();
                    send(
                        Part::Download,
                        DataAction::Export,
                        Box::new(move |export| {
                            let _ = save_json(&file, &export);
                        }),
                    );
                })
            };
            let onsubmit = {
                let (send, dispatch, name, email) = (send.clone(), state.dispatcher(), name.clone(), email.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let value = |r: &NodeRef| r.cast::<HtmlInputElement>().and_then(|i| field(&i.value()));
                    let request = DataAction::Correct { name: value(&name), email: value(&email) };
                    send(Part::Details, request, hold(&dispatch, Part::Details));
                })
            };
            // A switch shows what was asked at once; the edge's answer (or a refusal) settles it.
            let switch = |restrict: bool, was: bool| {
                let (send, dispatch) = (send.clone(), state.dispatcher());
                Callback::from(move |_: Event| {
                    let on = !was;
                    dispatch.dispatch(DataEvent::Switch { restrict, on });
                    let request = if restrict { DataAction::Restrict { on } } else { DataAction::Object { on } };
                    send(Part::Switches, request, hold(&dispatch, Part::Switches));
                })
            };
            let onask = state.dispatcher().to_callback().reform(|_: MouseEvent| DataEvent::AskErase);
            let oncancel = {
                let dispatch = state.dispatcher();
                Callback::from(move |_: MouseEvent| {
                    dispatch.dispatch(DataEvent::CancelErase);
                    focus("#pvx-erase");
                })
            };
            let onerase = {
                let (send, dispatch, host, erasing) =
                    (send.clone(), state.dispatcher(), props.embedding.host.clone(), state.erasing);
                Callback::from(move |_: MouseEvent| {
                    let (dispatch, host) = (dispatch.clone(), host.clone());
                    if !erasing {
                        send(
                            Part::Delete,
                            DataAction::Erase,
                            Box::new(move |_| {
                                dispatch.dispatch(DataEvent::Erased);
                                post_to_host(&host, ToHost::Erased);
                            }),
                        );
                    }
                })
            };
            html! {
                <>
                    <div class="pvx-data-part">
                        <button class="pvx-data-button" onclick={ondownload} aria-describedby="pvx-download-d">{ &*l.download }</button>
                        <p id="pvx-download-d">{ &*l.download_hint }</p>
                        { notice(&state, Part::Download, l) }
                    </div>
                    <form class="pvx-data-part pvx-data-form" novalidate={true} aria-labelledby="pvx-correct-title" {onsubmit}>
                        <h4 id="pvx-correct-title">{ &*l.correct }</h4>
                        <div>
                            <label for="pvx-data-name">{ &*l.name }</label>
                            <input id="pvx-data-name" ref={name} autocomplete="name" value={held.name.clone()} />
                        </div>
                        <div>
                            <label for="pvx-data-email">{ &*l.email }</label>
                            <input id="pvx-data-email" ref={email} type="email" autocomplete="email" value={held.email.clone()} />
                        </div>
                        <button class="pvx-data-button">{ &*l.save }</button>
                        { notice(&state, Part::Details, l) }
                    </form>
                    <ul class="pvx-categories">
                        { labelled_switch("object", &l.object, &l.object_hint, held.objected, Some(switch(false, held.objected)), None) }
                        { labelled_switch("restrict", &l.restrict, &l.restrict_hint, held.restricted, Some(switch(true, held.restricted)), None) }
                    </ul>
                    { notice(&state, Part::Switches, l) }
                    <div class="pvx-data-part">
                        <button id="pvx-erase" class="pvx-data-button pvx-danger" aria-expanded={state.confirming.to_string()}
                            onclick={onask}>{ &*l.erase }</button>
                        if state.confirming {
                            <div class="pvx-confirm" role="group" aria-labelledby="pvx-erase-what">
                                <p id="pvx-erase-what">{ &*l.erase_what }</p>
                                <p class="pvx-warn">{ &*l.cannot_undo }</p>
                                <div class="pvx-confirm-actions">
                                    <button class="pvx-data-button pvx-danger" onclick={onerase}>{ &*l.erase_all }</button>
                                    <button id="pvx-erase-cancel" class="pvx-data-button" onclick={oncancel}>{ &*l.cancel }</button>
                                </div>
                            </div>
                        }
                        { notice(&state, Part::Delete, l) }
                    </div>
                </>
            }
        }
    };
    html! {
        <section class="pvx-data" aria-labelledby="pvx-data-title">
            <h3 id="pvx-data-title">{ &*l.title }</h3>
            { body }
        </section>
    }
}

/// In headless Chromium: `cargo test -p widget --target wasm32-unknown-unknown`. A stand-in for
/// the edge answers `fetch` as the contract says and records what was sent.
#[cfg(test)]
mod browser_tests {
    use super::*;
    use crate::test_support::{button, field, mount, tick};
    use wasm_bindgen_test::*;
    use web_sys::Element;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Installs the stand-in; requests of kind `refuse` get a 400 with the edge's message. Links
    /// are not followed: a click records the file the link would save (`window.saved`).
    fn fake_edge(refuse: &str) {
        let install = js_sys::Function::new_with_args(
            "refuse",
            r#"
            window.sent = [];
            window.saved = null;
            const subject = { visitor_id: 'v_1', name: 'Ana', email: 'ana@example.com', user_id: null, first_seen: 1,
                last_seen: 2, conversations: 1, pages: 2, consents: 1, restricted: false, objected: false };
            HTMLAnchorElement.prototype.click = function () { window.saved = [this.download, this.href]; };
            window.fetch = async (request) => {
                const body = JSON.parse(await request.text());
                const r = body.request;
                window.sent.push([request.url.replace(location.origin, ''), body.token, r]);
                if (r.kind === refuse) {
                    return new Response(JSON.stringify({ error: 'invalid_input', message: 'Refused: ' + r.kind }), { status: 400 });
                }
                if (r.kind === 'correct') Object.assign(subject, { name: r.name ?? subject.name, email: r.email ?? subject.email });
                if (r.kind === 'restrict') subject.restricted = r.on;
                if (r.kind === 'object') subject.objected = r.on;
                const answer = r.kind === 'export' ? { visitor_id: 'v_1', conversations: [] }
                    : r.kind === 'erase' ? { conversations: 1, reference: 'ref' } : subject;
                return new Response(JSON.stringify(answer), { status: 200 });
            };"#,
        );
        install.call1(&JsValue::NULL, &refuse.into()).unwrap();
    }

    fn window_value(name: &str) -> JsValue {
        js_sys::Reflect::get(&web_sys::window().unwrap(), &name.into()).unwrap()
    }

    /// The kinds of the requests sent so far.
    fn kinds() -> Vec<String> {
        let sent: js_sys::Array = window_value("sent").unchecked_into();
        sent.iter()
            .map(|s| {
                let request = js_sys::Reflect::get(&s, &2.into()).unwrap();
                js_sys::Reflect::get(&request, &"kind".into()).unwrap().as_string().unwrap()
            })
            .collect()
    }

    /// The last request, as JSON.
    fn last_request() -> String {
        let sent: js_sys::Array = window_value("sent").unchecked_into();
        js_sys::JSON::stringify(&sent.get(sent.length() - 1)).unwrap().as_string().unwrap()
    }

    async fn render(token: &str) -> Element {
        let props = YourDataProps {
            embedding: Embedding { site: shared::SiteId::parse("shop").unwrap(), host: "http://127.0.0.1:9".into() },
            token: AttrValue::from(token.to_owned()),
            config: Rc::new(crate::consent::dialog::browser_tests::config(shared::consent::Lang::En)),
        };
        let root = mount::<YourData>(props).await;
        tick().await;
        root
    }

    async fn click(root: &Element, name: &str) {
        button(root, name).unwrap_or_else(|| panic!("a {name:?} button")).click();
        tick().await;
        tick().await;
    }

    fn text(root: &Element, selector: &str) -> Option<String> {
        root.query_selector(selector).unwrap().map(|e| e.text_content().unwrap())
    }

    #[wasm_bindgen_test]
    async fn without_a_token_nothing_is_held_and_nothing_is_asked() {
        fake_edge("");
        let root = render("").await;
        assert_eq!(text(&root, "h3").as_deref(), Some("Your data"));
        assert_eq!(text(&root, "p").as_deref(), Some("We hold no personal data about you on this site."));
        assert!(root.query_selector("button").unwrap().is_none());
        assert!(kinds().is_empty());
        root.remove();
    }

    #[wasm_bindgen_test]
    async fn the_visitor_downloads_corrects_and_switches() {
        fake_edge("");
        let root = render("v1.token").await;
        assert_eq!(kinds(), ["status"]);
        assert!(last_request().starts_with(r#"["/api/v1/sites/shop/my-data","v1.token","#), "{}", last_request());
        assert_eq!(
            (field(&root, "Name").value(), field(&root, "Email").value()),
            ("Ana".into(), "ana@example.com".into())
        );
        assert!(!field(&root, "Stop analytics").checked() && !field(&root, "Pause processing of my data").checked());

        click(&root, "Download my data").await;
        let saved: js_sys::Array = window_value("saved").unchecked_into();
        assert_eq!(saved.get(0).as_string().as_deref(), Some("my-data-shop.json"));
        assert!(saved.get(1).as_string().unwrap().starts_with("blob:"));

        field(&root, "Email").set_value(" ana@new.example ");
        click(&root, "Save details").await;
        assert!(
            last_request().ends_with(r#"{"kind":"correct","name":"Ana","email":"ana@new.example"}]"#),
            "{}",
            last_request()
        );
        assert_eq!(text(&root, "[role=status]").as_deref(), Some("Saved: Ana, ana@new.example"));

        field(&root, "Stop analytics").click();
        tick().await;
        tick().await;
        assert!(last_request().ends_with(r#"{"kind":"object","on":true}]"#), "{}", last_request());
        assert!(field(&root, "Stop analytics").checked());
        assert!(root.query_selector("[role=status]").unwrap().is_none(), "the earlier answer went");
        root.remove();
    }

    #[wasm_bindgen_test]
    async fn refusals_show_the_edges_message_and_a_refused_switch_goes_back() {
        fake_edge("correct");
        let root = render("v1.token").await;
        field(&root, "Email").set_value("not an email");
        click(&root, "Save details").await;
        assert_eq!(text(&root, "[role=alert]").as_deref(), Some("Refused: correct"));
        root.remove();

        fake_edge("restrict");
        let root = render("v1.token").await;
        field(&root, "Pause processing of my data").click();
        tick().await;
        tick().await;
        assert_eq!(text(&root, "[role=alert]").as_deref(), Some("Refused: restrict"));
        assert!(!field(&root, "Pause processing of my data").checked(), "back to what the edge holds");
        root.remove();
    }

    #[wasm_bindgen_test]
    async fn deleting_asks_first_and_says_when_it_is_done() {
        fake_edge("");
        let root = render("v1.token").await;
        click(&root, "Delete my data").await;
        let confirm = text(&root, "[role=group]").expect("a confirmation");
        assert!(confirm.contains("every conversation") && confirm.contains("This cannot be undone."), "{confirm}");
        let focused = web_sys::window().unwrap().document().unwrap().active_element().unwrap();
        assert_eq!(focused.text_content().as_deref(), Some("Cancel"), "focus is on the safe choice");
        click(&root, "Cancel").await;
        assert!(root.query_selector("[role=group]").unwrap().is_none());
        assert_eq!(kinds(), ["status"], "nothing erased by asking");

        click(&root, "Delete my data").await;
        click(&root, "Delete everything").await;
        assert_eq!(kinds(), ["status", "erase"]);
        assert_eq!(text(&root, "[role=status]").as_deref(), Some("Your data has been deleted."));
        assert!(root.query_selector("button").unwrap().is_none(), "nothing more to act on");
        root.remove();
    }
}
