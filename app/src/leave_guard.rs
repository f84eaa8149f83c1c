//! "Leave with unsaved changes?": a page with a draft calls [`guard_while`]; leaving it by a link asks
//! first, and closing or reloading the tab gets the browser's own warning. One pair of window listeners
//! is installed once and reads a flag, so pages need no listener bookkeeping. Under SSR this does nothing.

use leptos::prelude::*;

/// Guards the current page while `dirty` is true, until the page unmounts.
pub fn guard_while(dirty: Signal<bool>) {
    Effect::new(move |_| imp::set_guarded(dirty.get()));
    on_cleanup(|| imp::set_guarded(false));
}

#[cfg(feature = "hydrate")]
mod imp {
    const QUESTION: &str = "You have unsaved changes. Leave this page and lose them?";

    use std::cell::Cell;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    thread_local! {
        static GUARDED: Cell<bool> = const { Cell::new(false) };
        static INSTALLED: Cell<bool> = const { Cell::new(false) };
    }

    pub fn set_guarded(on: bool) {
        GUARDED.with(|g| g.set(on));
        if on && !INSTALLED.with(Cell::get) {
            install();
        }
    }

    fn guarded() -> bool {
        GUARDED.with(Cell::get)
    }

    fn install() {
        let Some(window) = web_sys::window() else {
            return;
        };
        // Capture phase on the window: runs before the router's own click handler, which leaves a click
        // alone once its default is prevented.
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |ev: web_sys::MouseEvent| {
                if !guarded() {
                    return;
                }
                let link = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.closest("a[href]").ok().flatten());
                if link.is_none() {
                    return;
                }
                let leave = web_sys::window()
                    .and_then(|w| w.confirm_with_message(QUESTION).ok())
                    .unwrap_or(true);
                if leave {
                    GUARDED.with(|g| g.set(false));
                } else {
                    ev.prevent_default();
                    ev.stop_immediate_propagation();
                }
            });
        let on_unload = Closure::<dyn Fn(web_sys::BeforeUnloadEvent)>::new(
            move |ev: web_sys::BeforeUnloadEvent| {
                if guarded() {
                    ev.prevent_default();
                    ev.set_return_value(QUESTION);
                }
            },
        );
        let installed = window
            .add_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            )
            .and_then(|()| {
                window.add_event_listener_with_callback(
                    "beforeunload",
                    on_unload.as_ref().unchecked_ref(),
                )
            })
            .is_ok();
        // The listeners live as long as the page: hand them to the browser for good.
        on_click.forget();
        on_unload.forget();
        INSTALLED.with(|i| i.set(installed));
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    pub fn set_guarded(_on: bool) {}
}
