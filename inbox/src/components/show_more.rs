use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShowMoreProps {
    /// How many items show until "Show all".
    pub limit: usize,
    /// The list's class, for its look.
    #[prop_or_default]
    pub class: Classes,
    /// What the list holds ("Pages visited"), so the button says what it shows.
    pub label: AttrValue,
    /// The `<li>` items, in the order shown.
    pub children: Children,
}

/// A list that shows its first few items and a "Show all N" button, so one long history does not
/// push everything else in the visitor pane out of sight.
#[function_component(ShowMore)]
pub fn show_more(props: &ShowMoreProps) -> Html {
    let expanded = use_state(|| false);
    let total = props.children.len();
    let shown = if *expanded { total } else { props.limit.min(total) };
    let ontoggle = {
        let expanded = expanded.clone();
        Callback::from(move |_: MouseEvent| expanded.set(!*expanded))
    };
    html! {
        <>
            <ul class={props.class.clone()}>
                { for props.children.iter().take(shown) }
            </ul>
            if total > props.limit {
                <button type="button" class="link" aria-expanded={expanded.to_string()} onclick={ontoggle}
                    aria-label={if *expanded { format!("Show fewer {}", props.label.to_lowercase()) } else { format!("Show all {total} {}", props.label.to_lowercase()) }}>
                    { if *expanded { "Show fewer".to_owned() } else { format!("Show all {total}") } }
                </button>
            }
        </>
    }
}
