//! Listening on a socket between two objects (a conversation's link, both ends) with plain
//! callbacks. `worker`'s event stream hands every frame through a channel to a task, which is a
//! wake-up, a microtask and their allocations per frame; a frame here is one call. Each socket
//! gets only the listeners it needs (a conversation's end only hears of the end), and they are
//! removed, then freed, when the socket closes or fails.

use crate::error::EdgeResult;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

type Frames = Closure<dyn FnMut(MessageEvent)>;
type End = Closure<dyn FnMut()>;

/// Calls `frame` with each frame's data (a string, or an `ArrayBuffer` once `binaryType` says
/// so), if given, and `end` once, when the socket closes or fails.
pub fn listen(
    ws: &WebSocket,
    frame: Option<Box<dyn FnMut(wasm_bindgen::JsValue)>>,
    end: impl FnOnce() + 'static,
) -> EdgeResult<()> {
    // The listeners keep themselves until the end: then the slot lets them go.
    let slot: Rc<RefCell<Option<(Option<Frames>, End)>>> = Rc::default();
    let frames = frame.map(|mut frame| Frames::new(move |e: MessageEvent| frame(e.data())));
    let mut end = Some(end);
    let (socket, kept) = (ws.clone(), slot.clone());
    let ended = End::new(move || {
        // Close after an error, say: only the first counts.
        let Some((frames, this)) = kept.borrow_mut().take() else { return };
        if let Some(frames) = &frames {
            let _ = socket.remove_event_listener_with_callback("message", frames.as_ref().unchecked_ref());
        }
        for kind in ["close", "error"] {
            let _ = socket.remove_event_listener_with_callback(kind, this.as_ref().unchecked_ref());
        }
        if let Some(end) = end.take() {
            end();
        }
        // Freed once this call has returned, not while it runs (`this` is the closure running).
        wasm_bindgen_futures::spawn_local(async move { drop((frames, this)) });
    });
    // Kept before they are handed over, so no listener can outlive its closure.
    let on_frame: Option<js_sys::Function> = frames.as_ref().map(|f| f.as_ref().clone().unchecked_into());
    let on_end: js_sys::Function = ended.as_ref().clone().unchecked_into();
    *slot.borrow_mut() = Some((frames, ended));
    if let Some(on_frame) = &on_frame {
        ws.add_event_listener_with_callback("message", on_frame).map_err(worker::Error::from)?;
    }
    for kind in ["close", "error"] {
        ws.add_event_listener_with_callback(kind, &on_end).map_err(worker::Error::from)?;
    }
    Ok(())
}
