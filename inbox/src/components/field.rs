use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    /// The control's `id`; the hint gets `{id}-hint` for the control's `aria-describedby`.
    pub id: AttrValue,
    pub label: AttrValue,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// The control itself.
    pub children: Html,
}

/// A label above its control and an optional hint below. The label points at the control with
/// `for` instead of wrapping it: a wrapping label would add the hint and the control's current
/// value to the accessible name, so "Greeting" would be announced (and found) as a sentence.
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    html! {
        <div class="field">
            <label for={props.id.clone()}>{ &props.label }</label>
            { props.children.clone() }
            if let Some(hint) = &props.hint {
                <p class="hint" id={format!("{}-hint", props.id)}>{ hint }</p>
            }
        </div>
    }
}
