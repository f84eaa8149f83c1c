use super::*;

fn malformed(q: &str) -> String {
    match parse(q) {
        Err(e) => {
            assert_eq!(e.code, "MALFORMED_QUERY", "{q}");
            e.message
        }
        Ok(parsed) => panic!("{q} parsed as {parsed:?}"),
    }
}

#[test]
fn parses_fields_filters_order_and_limit() {
    let q = parse("select Id, Email from Contact where (Email = 'a@x.com' or Email in ('b@x.com')) and LastName like 'S%' order by LastName desc nulls first, Id limit 10 offset 5")
        .expect("parses");
    assert_eq!(
        q.select,
        Select::Fields(vec![
            Name {
                text: "Id".into(),
                pos: 7
            },
            Name {
                text: "Email".into(),
                pos: 11
            }
        ])
    );
    assert_eq!(q.from.text, "Contact");
    let Some(Cond::And(parts)) = q.filter else {
        panic!("expected AND")
    };
    assert!(matches!(parts[0], Cond::Or(ref inner) if inner.len() == 2));
    assert!(matches!(parts[1], Cond::Like { .. }));
    assert_eq!(q.order_by.len(), 2);
    assert!(q.order_by[0].descending && !q.order_by[0].nulls_last);
    assert!(!q.order_by[1].descending && !q.order_by[1].nulls_last);
    assert_eq!((q.limit, q.offset), (Some(10), Some(5)));
}

#[test]
fn count_and_not_in_parse() {
    let q =
        parse("SELECT COUNT() FROM Lead WHERE NOT Status NOT IN ('Open', null)").expect("parses");
    assert_eq!(q.select, Select::Count);
    assert!(matches!(q.filter, Some(Cond::Not(_))));
}

#[test]
fn mixing_and_with_or_needs_parentheses() {
    assert_eq!(
        malformed("SELECT Id FROM Contact WHERE A = 'x' AND B = 'y' OR C = 'z'"),
        "unexpected token: 'OR'"
    );
}

#[test]
fn unsupported_syntax_is_malformed_not_guessed() {
    assert_eq!(
        malformed("SELECT Id FROM Contact WHERE invalid"),
        "unexpected token: '<EOF>'"
    );
    malformed("SELECT Id FROM Contact GROUP BY Email");
    malformed("SELECT COUNT(Id) FROM Contact");
    malformed("SELECT Id FROM Contact WHERE NumberOfEmployees > 5");
    malformed("SELECT Id, (SELECT Id FROM Opportunities) FROM Contact");
    malformed("SELECT Id FROM Contact WHERE Email = :email");
    malformed("SELECT Id FROM Contact LIMIT 1.5");
    malformed("SELECT FROM Contact");
}
