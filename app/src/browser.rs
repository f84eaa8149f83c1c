//! What the import page needs from the browser: the chosen file, its first bytes, and a streamed upload.
//! A `fetch` with the `File` as body lets the browser stream it from disk, so a large file is never read
//! into the page's memory. Under SSR these are inert stand-ins: they are only called from event handlers,
//! which never run on the server.

/// How much of a file the preview reads: the server's `PREVIEW_BYTES`.
pub const PREVIEW_BYTES: u32 = 64 * 1024;

/// A file the person chose. `Send`, so it can sit in an ordinary signal: the browser's `File` is not, but
/// the browser runs the app on one thread, and on the server there is no file at all. (A thread-local
/// signal instead would be made on one server thread and dropped on another, which `SendWrapper` refuses
/// loudly.)
#[derive(Clone)]
pub struct PickedFile {
    pub name: String,
    pub size: u64,
    #[cfg(feature = "hydrate")]
    file: send_wrapper::SendWrapper<web_sys::File>,
}

#[cfg(feature = "hydrate")]
mod imp {
    use super::{PickedFile, PREVIEW_BYTES};
    use crate::error::ApiError;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn js_error(e: JsValue) -> String {
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "the browser refused".to_owned())
    }

    pub fn picked_file(ev: &leptos::ev::Event) -> Option<PickedFile> {
        let input: web_sys::HtmlInputElement = leptos::prelude::event_target(ev);
        let file = input.files()?.get(0)?;
        Some(PickedFile {
            name: file.name(),
            size: file.size() as u64,
            file: send_wrapper::SendWrapper::new(file),
        })
    }

    pub async fn read_head(picked: &PickedFile) -> Result<String, String> {
        let end = f64::from(PREVIEW_BYTES);
        let blob = picked
            .file
            .slice_with_f64_and_f64(0.0, end)
            .map_err(js_error)?;
        let text = JsFuture::from(blob.text())
            .await
            .map_err(js_error)?
            .as_string()
            .unwrap_or_default();
        // A slice can end mid-row: keep whole rows only.
        if picked.size > u64::from(PREVIEW_BYTES) {
            if let Some(end) = text.rfind('\n') {
                return Ok(text[..end].to_owned());
            }
        }
        Ok(text)
    }

    pub async fn upload(picked: &PickedFile, url: &str) -> Result<(), String> {
        let window = web_sys::window().ok_or("no window")?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&picked.file);
        let headers = web_sys::Headers::new().map_err(js_error)?;
        headers.set("content-type", "text/csv").map_err(js_error)?;
        init.set_headers(&headers);
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(url, &init))
                .await
                .map_err(js_error)?
                .dyn_into()
                .map_err(js_error)?;
        if response.ok() {
            return Ok(());
        }
        let body = match response.text() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        Err(serde_json::from_str::<ApiError>(&body)
            .map(|e| e.to_string())
            .unwrap_or_else(|_| format!("The upload failed ({}).", response.status())))
    }

    pub async fn delay(ms: i32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }
}

#[cfg(not(feature = "hydrate"))]
mod imp {
    use super::PickedFile;

    pub fn picked_file(_: &leptos::ev::Event) -> Option<PickedFile> {
        None
    }

    pub async fn read_head(_: &PickedFile) -> Result<String, String> {
        Err("files are read in the browser".to_owned())
    }

    pub async fn upload(_: &PickedFile, _: &str) -> Result<(), String> {
        Err("files are uploaded from the browser".to_owned())
    }

    pub async fn delay(_: i32) {}
}

/// The file chosen in a file input's `change` event.
pub fn picked_file(ev: &leptos::ev::Event) -> Option<PickedFile> {
    imp::picked_file(ev)
}

/// The file's first [`PREVIEW_BYTES`] as text, cut at the last line end.
///
/// # Errors
/// A sentence for the page when the browser cannot read the file.
pub async fn read_head(file: &PickedFile) -> Result<String, String> {
    imp::read_head(file).await
}

/// POSTs the whole file to `url`, streamed; resolves when the server has answered.
///
/// # Errors
/// The server's refusal (its `ApiError` sentence) or a network failure.
pub async fn upload(file: &PickedFile, url: &str) -> Result<(), String> {
    imp::upload(file, url).await
}

/// Waits `ms` milliseconds without blocking the page (between status polls).
pub async fn delay(ms: i32) {
    imp::delay(ms).await;
}
