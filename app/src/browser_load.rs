//! Data a page asks for only once it is live in the browser: the describe of a CRM object, the live count
//! of a filter. The server renders the "loading" state and so does the first render in the browser, so
//! the page hydrates the same however it was reached.
//!
//! Why not a `Resource`: a `Resource` is matched to its serialized value by the order of creation, and a
//! `<Suspense>` on the server may run its `Suspend` more than once, creating the resources inside it again
//! with new numbers. Data that belongs to a view inside a `Suspend` is loaded here instead.

use leptos::prelude::*;
use std::future::Future;

/// What the latest load gave, and whether one is under way.
pub struct BrowserLoad<T: Send + Sync + 'static> {
    /// The latest answer; kept while a newer load runs, so lists do not flicker empty.
    pub value: ReadSignal<Option<T>>,
    /// True until the first answer and while any later load runs.
    pub loading: ReadSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for BrowserLoad<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for BrowserLoad<T> {}

/// Loads `fetch(source())` in the browser, again whenever what `source` reads changes. An answer that
/// arrives after a newer load has started is dropped, so a slow old answer never overwrites a new one.
pub fn load_in_browser<S, T, Fut>(
    source: impl Fn() -> S + 'static,
    fetch: impl Fn(S) -> Fut + 'static,
) -> BrowserLoad<T>
where
    S: 'static,
    T: Send + Sync + 'static,
    Fut: Future<Output = T> + 'static,
{
    let (value, set_value) = signal(None);
    let (loading, set_loading) = signal(true);
    let latest = StoredValue::new(0_u64);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        let input = source();
        let this = latest.get_value() + 1;
        latest.set_value(this);
        set_loading.set(true);
        let answer = fetch(input);
        leptos::task::spawn_local(async move {
            let answer = answer.await;
            // The view may be gone (`try_`), or a newer load under way.
            if latest.try_get_value() == Some(this) {
                set_value.try_set(Some(answer));
                set_loading.try_set(false);
            }
        });
    });
    BrowserLoad { value, loading }
}
