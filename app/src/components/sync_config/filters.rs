//! Section 4, Filters: optional rules (field, an operator fitting its type, a value) combined with all / any, and a
//! live count of the contacts they select, counted by the database.

use super::{Draft, FieldProblems};
use crate::api::syncs::count_matching;
use crate::browser_load::load_in_browser;
use crate::components::icon::Icon;
use leptos::prelude::*;
use shared::numbers::thousands;
use shared::sync::config::Place;
use shared::sync::filter::{operators_for, Combine, FilterRule, Operator};

#[component]
pub fn FiltersSection(draft: Draft) -> impl IntoView {
    let filter = Memo::new(move |_| draft.config.with(|c| c.filter.clone()));
    // Count only what the catalog accepts; a half-typed rule shows its problem instead.
    let countable = Memo::new(move |_| {
        let filter = filter.get();
        draft
            .catalog
            .with(|c| filter.check(c).is_ok())
            .then_some(filter)
    });
    let count = load_in_browser(
        move || countable.get(),
        |filter| async move {
            let filter = filter?;
            Some(count_matching(filter.into()).await)
        },
    );
    let count_text = move || match count.value.get() {
        None => "Counting…".to_owned(),
        Some(None) => "Fix the filter to see how many contacts it selects.".to_owned(),
        Some(Some(Err(e))) => e.to_string(),
        Some(Some(Ok(c))) => format!(
            "{} of {} contacts",
            thousands(c.matching),
            thousands(c.total)
        ),
    };
    let add_rule = move |_| {
        let first = draft.catalog.with(|c| c.fields().first().cloned());
        if let Some(field) = first {
            let operator = operators_for(field.field_type)[0];
            draft.config.update(|c| {
                c.filter.rules.push(FilterRule {
                    field: field.key.clone(),
                    operator,
                    value: String::new(),
                });
            });
        }
    };
    let rule_count = move || filter.with(|f| f.rules.len());
    view! {
        <section class="panel config-section" aria-label="Filters">
            <h2><span class="step">"4"</span> " Filters " <span class="muted small">"(optional)"</span></h2>
            <p class="muted">"Push only the contacts these rules select. With no rules, every contact is pushed."</p>
            {move || (rule_count() > 1).then(|| view! {
                <label class="inline-label">
                    "Contacts must match"
                    <select
                        name="combine"
                        on:change=move |ev| {
                            let any = event_target_value(&ev) == "any";
                            draft.config.update(|c| c.filter.combine = if any { Combine::Any } else { Combine::All });
                        }
                    >
                        <option value="all" selected=move || filter.with(|f| f.combine == Combine::All)>"all rules"</option>
                        <option value="any" selected=move || filter.with(|f| f.combine == Combine::Any)>"any rule"</option>
                    </select>
                </label>
            })}
            <ul class="filter-rules">
                {move || (0..rule_count()).map(|index| view! { <RuleRow draft index /> }).collect_view()}
            </ul>
            <button type="button" class="button" on:click=add_rule>
                <Icon name="plus" /> " Add Filter"
            </button>
            <p
                class="match-count"
                data-testid="match-count"
                aria-live="polite"
                aria-busy=move || count.loading.get().to_string()
            >
                {count_text}
            </p>
        </section>
    }
}

#[component]
fn RuleRow(draft: Draft, index: usize) -> impl IntoView {
    let rule = move || draft.config.with(|c| c.filter.rules.get(index).cloned());
    let edit = move |change: &dyn Fn(&mut FilterRule)| {
        draft.config.update(|c| {
            if let Some(rule) = c.filter.rules.get_mut(index) {
                change(rule);
            }
        });
    };
    let field_type = move || {
        let key = rule().map(|r| r.field).unwrap_or_default();
        draft.catalog.with(|c| c.find(&key).map(|f| f.field_type))
    };
    let field_options = move || {
        let chosen = rule().map(|r| r.field).unwrap_or_default();
        draft.catalog.with(|c| {
            c.fields()
                .iter()
                .map(|f| view! { <option value=f.key.clone() selected=f.key == chosen>{f.label.clone()}</option> })
                .collect_view()
        })
    };
    let operator_options = move || {
        let chosen = rule().map(|r| r.operator);
        field_type()
            .map(operators_for)
            .unwrap_or_default()
            .iter()
            .map(|op| view! { <option value=op.label() selected=chosen == Some(*op)>{op.label()}</option> })
            .collect_view()
    };
    let takes_value = move || rule().is_some_and(|r| r.operator.takes_value());
    view! {
        <li class="filter-rule" data-testid="filter-rule">
            <select
                aria-label="Filter field"
                on:change=move |ev| {
                    let key = event_target_value(&ev);
                    let first = draft.catalog.with(|c| c.find(&key).map(|f| operators_for(f.field_type)[0]));
                    edit(&|r| {
                        r.field = key.clone();
                        // Keep the operator if it still fits the new field's type.
                        if let Some(first) = first {
                            let keeps = draft.catalog.with_untracked(|c| {
                                c.find(&key).is_some_and(|f| operators_for(f.field_type).contains(&r.operator))
                            });
                            if !keeps {
                                r.operator = first;
                            }
                        }
                    });
                }
            >
                {field_options}
            </select>
            <select
                aria-label="Filter operator"
                on:change=move |ev| {
                    let label = event_target_value(&ev);
                    if let Some(op) = all_operators().find(|o| o.label() == label) {
                        edit(&|r| r.operator = op);
                    }
                }
            >
                {operator_options}
            </select>
            {move || takes_value().then(|| view! {
                <input
                    aria-label="Filter value"
                    placeholder="value"
                    prop:value=move || rule().map(|r| r.value).unwrap_or_default()
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        edit(&|r| r.value = value.clone());
                    }
                />
            })}
            <button
                type="button"
                class="button icon-button"
                aria-label="Delete filter"
                on:click=move |_| draft.config.update(|c| {
                    if index < c.filter.rules.len() {
                        c.filter.rules.remove(index);
                    }
                })
            >
                <Icon name="trash" />
            </button>
            <FieldProblems draft place=Place::Filter(index) />
        </li>
    }
}

fn all_operators() -> impl Iterator<Item = Operator> {
    use shared::contact::fields::FieldType as T;
    [T::Text, T::Number, T::Date, T::Timestamp, T::Boolean]
        .into_iter()
        .flat_map(|t| operators_for(t).iter().copied())
}
