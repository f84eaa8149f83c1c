//! A small chart of a sync's recent runs: per run, stacked bars of inserted, updated and failed contacts,
//! oldest on the left. Plain SVG drawn here (no chart library to ship), with a legend in words and a
//! title per bar for the exact numbers.

use crate::api::runs::run_url;
use crate::api::syncs::RunSummary;
use leptos::prelude::*;
use shared::numbers::thousands;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 140.0;
const GAP: f64 = 6.0;

/// One bar's three parts, bottom to top.
struct Bar {
    run_id: i64,
    inserted: i64,
    updated: i64,
    failed: i64,
}

impl Bar {
    fn total(&self) -> i64 {
        self.inserted + self.updated + self.failed
    }
}

/// The heights of the parts of `bar` in a chart whose tallest bar is `max`.
fn heights(bar: &Bar, max: i64) -> [f64; 3] {
    let scale = |n: i64| n as f64 / max.max(1) as f64 * (HEIGHT - 4.0);
    [scale(bar.inserted), scale(bar.updated), scale(bar.failed)]
}

#[component]
pub fn RunsChart(sync_id: i64, runs: Vec<RunSummary>) -> impl IntoView {
    // Newest first in, oldest first on the chart.
    let bars: Vec<Bar> = runs
        .iter()
        .rev()
        .map(|r| Bar {
            run_id: r.id,
            inserted: r.counters.inserted_ok,
            updated: r.counters.updated_ok,
            failed: r.counters.failed(),
        })
        .collect();
    if bars.iter().all(|b| b.total() == 0) {
        return ().into_any();
    }
    let max = bars.iter().map(Bar::total).max().unwrap_or(1);
    let slot = WIDTH / bars.len().max(8) as f64;
    let width = (slot - GAP).max(4.0);
    let drawn = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let x = i as f64 * slot + GAP / 2.0;
            let [ins, upd, fail] = heights(bar, max);
            let title = format!(
                "Run #{}: {} inserted, {} updated, {} failed",
                bar.run_id,
                thousands(bar.inserted),
                thousands(bar.updated),
                thousands(bar.failed)
            );
            view! {
                <a href=run_url(sync_id, bar.run_id)>
                    <g class="chart-bar">
                        <title>{title}</title>
                        <rect class="part-inserted" x=x y=HEIGHT - ins width=width height=ins />
                        <rect class="part-updated" x=x y=HEIGHT - ins - upd width=width height=upd />
                        <rect class="part-failed" x=x y=HEIGHT - ins - upd - fail width=width height=fail />
                    </g>
                </a>
            }
        })
        .collect_view();
    view! {
        <figure class="panel runs-chart" data-testid="runs-chart">
            <figcaption>
                <strong>"Recent runs"</strong>
                <span class="legend">
                    <span class="key inserted"></span>"Inserted"
                    <span class="key updated"></span>"Updated"
                    <span class="key failed"></span>"Failed"
                </span>
                <span class="muted small">{format!("tallest bar: {} contacts", thousands(max))}</span>
            </figcaption>
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                preserveAspectRatio="none"
                role="img"
                aria-label="Inserted, updated and failed contacts per recent run"
            >
                <line class="baseline" x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT />
                {drawn}
            </svg>
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_scaled_to_the_tallest_bar() {
        let bar = Bar {
            run_id: 1,
            inserted: 50,
            updated: 25,
            failed: 25,
        };
        let [i, u, f] = heights(&bar, 100);
        let full = HEIGHT - 4.0;
        assert!((i - full / 2.0).abs() < 1e-9);
        assert!((u - full / 4.0).abs() < 1e-9);
        assert!((f - full / 4.0).abs() < 1e-9);
        assert_eq!(heights(&bar, 0)[0], 50.0 * full);
    }
}
