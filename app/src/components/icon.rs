use leptos::prelude::*;

/// Line icons drawn inline, so they look the same everywhere (emoji depend on the system's fonts).
#[component]
pub fn Icon(name: &'static str) -> impl IntoView {
    let path = match name {
        "users" => "M16 19v-1a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v1M9 10a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM22 19v-1a4 4 0 0 0-3-3.9M16 4.1a3 3 0 0 1 0 5.8",
        "plug" => "M9 2v6M15 2v6M6 8h12v3a6 6 0 0 1-12 0zM12 17v5",
        "sync" => "M21 12a9 9 0 0 1-15.5 6.2M3 12A9 9 0 0 1 18.5 5.8M18 2v4h-4M6 22v-4h4",
        "lock" => "M5 11h14v10H5zM8 11V7a4 4 0 0 1 8 0v4",
        "key" => "M15 7a4 4 0 1 1-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0 1 15 7z",
        "compass" => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM16 8l-2 6-6 2 2-6z",
        "check" => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM8 12.5l2.5 2.5L16 9.5",
        "warn" => "M12 3l10 18H2zM12 10v4M12 17.5h.01",
        "cross" => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM15 9l-6 6M9 9l6 6",
        "clock" => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 7v5l3 2",
        "dots" => "M5 12h.01M12 12h.01M19 12h.01",
        "trash" => "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
        "plus" => "M12 5v14M5 12h14",
        "refresh" => "M21 12a9 9 0 1 1-3-6.7L21 8M21 3v5h-5",
        _ => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 7v6M12 17h.01",
    };
    view! {
        <svg
            class="icon"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
        >
            <path d=path />
        </svg>
    }
}
