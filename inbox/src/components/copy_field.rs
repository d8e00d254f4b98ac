use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CopyFieldProps {
    /// The box's `id`, unique on the page.
    pub id: AttrValue,
    /// The box's label ("Your snippet", "Invite link").
    pub label: AttrValue,
    pub value: AttrValue,
    /// The copy button's text ("Copy snippet", "Copy link").
    pub button: AttrValue,
    /// A wrapping textarea for long values such as the snippet; a one-line input otherwise.
    #[prop_or_default]
    pub multiline: bool,
}

/// A readonly box with a copy button: what a site owner pastes elsewhere. The text is selected
/// on copy, so a refused clipboard still leaves Ctrl+C one key away.
#[function_component(CopyField)]
pub fn copy_field(props: &CopyFieldProps) -> Html {
    let node = use_node_ref();
    let status = use_state(|| None::<&'static str>);
    {
        // A new value has not been copied yet.
        let status = status.clone();
        use_effect_with(props.value.clone(), move |_| status.set(None));
    }
    let onclick = {
        let (node, status, value) = (node.clone(), status.clone(), props.value.clone());
        Callback::from(move |_: MouseEvent| {
            let (node, status, value) = (node.clone(), status.clone(), value.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let select = || {
                    if let Some(t) = node.cast::<HtmlTextAreaElement>() {
                        t.select();
                    } else if let Some(i) = node.cast::<HtmlInputElement>() {
                        i.select();
                    }
                };
                let copied = crate::browser::copy(&value, select).await;
                status.set(Some(if copied { "Copied" } else { "Press Ctrl+C (⌘C on a Mac) to copy" }));
            });
        })
    };
    let onfocus = Callback::from(|e: FocusEvent| {
        if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
            t.select();
        } else if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
            i.select();
        }
    });
    html! {
        <div class="copy-field">
            <label class="label" for={props.id.clone()}>{ &props.label }</label>
            if props.multiline {
                <textarea id={props.id.clone()} ref={node} readonly=true rows="3" spellcheck="false" value={props.value.clone()} {onfocus} />
            } else {
                <input id={props.id.clone()} ref={node} readonly=true value={props.value.clone()} {onfocus} />
            }
            <div class="actions">
                <button type="button" class="secondary" {onclick}>{ &props.button }</button>
                if let Some(text) = *status {
                    <span class="saved" role="status">{ text }</span>
                }
            </div>
        </div>
    }
}
