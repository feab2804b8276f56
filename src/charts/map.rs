//! The system then and now: one parts map holding both days, with what was added,
//! removed or changed marked in words on the shapes themselves (never by colour alone).

use super::axis::*;
use crate::records::{Part, RelationshipKind};
use std::fmt::Write;

/// Most parts the then-and-now figure draws; past it, only the parts that changed and
/// those a changed relationship or group touches are drawn, and the rest are counted.
pub const MOST_MAP_PARTS_DRAWN: usize = 40;

const MAP_CELL_W: f64 = 140.0;
const MAP_CELL_H: f64 = 58.0;
const MAP_NODE_W: f64 = 128.0;
const MAP_NODE_H: f64 = 42.0;
const MAP_TOP: f64 = 46.0;

/// What became of a part between the two days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PartFate {
    Added,
    Removed,
    Changed,
    Same,
}

/// Puts each node on a grid cell near where the clinician placed it (its stored
/// position, scaled to the figure), moving it to the nearest free cell when the cell is
/// taken, so no two shapes or labels overlap; nodes without a position follow in
/// reading order. Returns (column, row) per node.
fn grid_places(positions: &[Option<(f64, f64)>], columns: usize) -> Vec<(usize, usize)> {
    let placed: Vec<(f64, f64)> = positions.iter().flatten().copied().collect();
    let (min_x, max_x) = placed
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (x, _)| {
            (lo.min(*x), hi.max(*x))
        });
    let (min_y, max_y) = placed
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (_, y)| {
            (lo.min(*y), hi.max(*y))
        });
    let span_x = (max_x - min_x).max(1.0);
    let span_y = (max_y - min_y).max(1.0);
    // As many rows as the drawn map's shape asks for, on the columns' scale.
    let rows_target = ((span_y / span_x) * (columns as f64) * MAP_CELL_W / MAP_CELL_H)
        .round()
        .clamp(1.0, positions.len().max(1) as f64) as usize;
    let mut taken: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    let mut places = vec![(0, 0); positions.len()];
    let free_near = |want: (usize, usize), taken: &std::collections::HashSet<(usize, usize)>| {
        // Rings of growing distance around the wanted cell; the grid grows downward.
        for radius in 0..(positions.len() + columns + rows_target + 1) {
            let mut best: Option<((usize, usize), f64)> = None;
            let (wc, wr) = (want.0 as i64, want.1 as i64);
            let r = radius as i64;
            for dr in -r..=r {
                for dc in -r..=r {
                    if dr.abs().max(dc.abs()) != r {
                        continue;
                    }
                    let (c, row) = (wc + dc, wr + dr);
                    if c < 0 || row < 0 || c >= columns as i64 {
                        continue;
                    }
                    let cell = (c as usize, row as usize);
                    if taken.contains(&cell) {
                        continue;
                    }
                    let distance = ((dc * dc) as f64 * 2.0 + (dr * dr) as f64).sqrt();
                    if best.is_none_or(|(_, d)| distance < d) {
                        best = Some((cell, distance));
                    }
                }
            }
            if let Some((cell, _)) = best {
                return cell;
            }
        }
        (0, taken.len() / columns + 1)
    };
    for (i, position) in positions.iter().enumerate() {
        if let Some((x, y)) = position {
            let column = (((x - min_x) / span_x) * (columns - 1) as f64).round() as usize;
            let row = (((y - min_y) / span_y) * (rows_target - 1) as f64).round() as usize;
            let cell = free_near((column.min(columns - 1), row), &taken);
            taken.insert(cell);
            places[i] = cell;
        }
    }
    // The tidy arrangement: the parts with no place of their own, in rows below.
    let first_free_row = taken.iter().map(|(_, r)| r + 1).max().unwrap_or(0);
    let mut next = 0;
    for (i, position) in positions.iter().enumerate() {
        if position.is_none() {
            let cell = (next % columns, first_free_row + next / columns);
            next += 1;
            taken.insert(cell);
            places[i] = cell;
        }
    }
    places
}

/// The parts map of two days as one figure: every part of either day where the
/// clinician placed it, each shape saying whether it is new, removed or changed, and
/// the relationships gained or lost marked the same way. The list of changes in words
/// goes with it (`MapComparison::changes`); `None` when neither day has a part.
pub fn map_then_and_now(comparison: &crate::parts_history::MapComparison) -> Option<String> {
    use crate::parts_history::MapChangeKind;
    let (from, to) = (&comparison.from, &comparison.to);
    let changed: std::collections::HashSet<&str> = comparison
        .changes
        .iter()
        .filter(|c| c.kind == MapChangeKind::PartChanged)
        .filter_map(|c| c.part.as_deref())
        .collect();
    let mut nodes: Vec<(&Part, PartFate)> = Vec::new();
    for part in &to.parts {
        let fate = if !from.parts.iter().any(|p| p.id == part.id) {
            PartFate::Added
        } else if changed.contains(part.id.as_str()) {
            PartFate::Changed
        } else {
            PartFate::Same
        };
        nodes.push((part, fate));
    }
    for part in from
        .parts
        .iter()
        .filter(|p| !to.parts.iter().any(|n| n.id == p.id))
    {
        nodes.push((part, PartFate::Removed));
    }
    if nodes.is_empty() {
        return None;
    }
    let relationship_state = |id: &str| -> PartFate {
        match (
            from.relationships.iter().find(|r| r.id == id),
            to.relationships.iter().find(|r| r.id == id),
        ) {
            (None, Some(_)) => PartFate::Added,
            (Some(_), None) => PartFate::Removed,
            (Some(a), Some(b)) if a != b => PartFate::Changed,
            _ => PartFate::Same,
        }
    };
    let mut links: Vec<(&crate::records::Relationship, PartFate)> = to
        .relationships
        .iter()
        .map(|r| (r, relationship_state(&r.id)))
        .collect();
    links.extend(
        from.relationships
            .iter()
            .filter(|r| !to.relationships.iter().any(|n| n.id == r.id))
            .map(|r| (r, PartFate::Removed)),
    );
    // A large system: the parts that changed, and those a changed relationship touches.
    let total = nodes.len();
    if nodes.len() > MOST_MAP_PARTS_DRAWN {
        let touched: std::collections::HashSet<&str> = links
            .iter()
            .filter(|(_, fate)| *fate != PartFate::Same)
            .flat_map(|(r, _)| [r.from_part.as_str(), r.to_part.as_str()])
            .collect();
        nodes.retain(|(p, fate)| *fate != PartFate::Same || touched.contains(p.id.as_str()));
        nodes.truncate(MOST_MAP_PARTS_DRAWN);
    }
    let not_drawn = total - nodes.len();
    let columns = ((WIDTH - 16.0) / MAP_CELL_W).floor() as usize;
    let places = grid_places(
        &nodes
            .iter()
            .map(|(p, _)| p.position.map(|at| (at.x.value(), at.y.value())))
            .collect::<Vec<_>>(),
        columns,
    );
    let rows = places.iter().map(|(_, r)| r + 1).max().unwrap_or(1);
    let used_width = columns as f64 * MAP_CELL_W;
    let left = (WIDTH - used_width) / 2.0;
    let centre = |i: usize| {
        let (c, r) = places[i];
        (
            left + c as f64 * MAP_CELL_W + MAP_CELL_W / 2.0,
            MAP_TOP + r as f64 * MAP_CELL_H + MAP_CELL_H / 2.0,
        )
    };
    let note = if not_drawn > 0 { 22.0 } else { 0.0 };
    let height = MAP_TOP + rows as f64 * MAP_CELL_H + 8.0 + note;
    let then = from.date.to_string();
    let now = to.date.to_string();
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        &format!("The parts map on {then} and on {now}, with what changed marked"),
    );
    let _ = write!(
        out,
        r#"<text class="panel-title" x="8" y="18">Then: {then} · now: {now}</text><text class="panel-note" x="8" y="34">Each shape says what became of it: new (thick outline), removed (dashed) or changed. Relationships: + gained, − lost.</text>"#
    );
    let index_of = |id: &str| nodes.iter().position(|(p, _)| p.id == id);
    for (r, fate) in &links {
        let (Some(a), Some(b)) = (index_of(&r.from_part), index_of(&r.to_part)) else {
            continue;
        };
        let ((x1, y1), (x2, y2)) = (centre(a), centre(b));
        let (class, mark) = match fate {
            PartFate::Added => ("added", "+ "),
            PartFate::Removed => ("removed", "− "),
            PartFate::Changed => ("changed", "~ "),
            PartFate::Same => ("same", ""),
        };
        let kind = match r.kind {
            RelationshipKind::Protects => "protects",
            RelationshipKind::Polarized => "polarized",
            RelationshipKind::Allied => "allied",
            RelationshipKind::Blended => "blended",
        };
        let _ = write!(
            out,
            r#"<line class="map-link {class} {kind}" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}"/>"#
        );
        if *fate != PartFate::Same {
            let _ = write!(
                out,
                r#"<text class="map-link-label" x="{:.1}" y="{:.1}" text-anchor="middle">{mark}{kind}</text>"#,
                (x1 + x2) / 2.0,
                (y1 + y2) / 2.0 - 3.0
            );
        }
    }
    let mut description: Vec<String> = Vec::new();
    for (i, (part, fate)) in nodes.iter().enumerate() {
        let (cx, cy) = centre(i);
        let (x, y) = (cx - MAP_NODE_W / 2.0, cy - MAP_NODE_H / 2.0);
        let (class, state) = match fate {
            PartFate::Added => ("added", " · new"),
            PartFate::Removed => ("removed", " · removed"),
            PartFate::Changed => ("changed", " · changed"),
            PartFate::Same => ("same", ""),
        };
        let role = crate::parts_history::role_words(part.role);
        description.push(format!("{} ({role}{state})", part.name));
        let _ = write!(
            out,
            r#"<rect class="map-node {class}" x="{x:.1}" y="{y:.1}" width="{MAP_NODE_W}" height="{MAP_NODE_H}" rx="6"/><text class="map-node-name" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="map-node-detail" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            cx,
            y + 17.0,
            escape(&short(&part.name, 18)),
            cx,
            y + 33.0,
            escape(&format!("{role}{state}")),
        );
    }
    if not_drawn > 0 {
        let _ = write!(
            out,
            r#"<text class="node-detail" x="8" y="{:.1}">and {not_drawn} part(s) that did not change, not drawn</text>"#,
            MAP_TOP + rows as f64 * MAP_CELL_H + 14.0
        );
    }
    let mut words = format!("Parts drawn: {}.", description.join("; "));
    if not_drawn > 0 {
        words.push_str(&format!(
            " And {not_drawn} part(s) that did not change, not drawn."
        ));
    }
    close_svg(&mut out, &words);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::parse_document;
    use crate::records::{Client, PartRole};

    fn example() -> Client {
        let doc = parse_document(include_str!(
            "../../tests/fixtures/interchange/example.json"
        ))
        .unwrap();
        doc.clients.into_iter().next().unwrap()
    }

    #[test]
    fn the_then_and_now_map_places_every_part_without_overlap_even_when_crowded() {
        // Positions piled on one another, and some with none: every node still gets a
        // cell of its own.
        let positions: Vec<Option<(f64, f64)>> = (0..30)
            .map(|i| match i % 3 {
                0 => Some((0.0, 0.0)),
                1 => Some((f64::from(i) * 3.0, 10.0)),
                _ => None,
            })
            .collect();
        let places = grid_places(&positions, 5);
        let mut seen = std::collections::HashSet::new();
        assert!(
            places.iter().all(|p| p.0 < 5 && seen.insert(*p)),
            "{places:?}"
        );
    }

    #[test]
    fn a_large_system_draws_the_parts_that_changed_and_counts_the_rest() {
        use crate::records::Position;
        let mut client = example();
        for i in 0..160 {
            let mut part = Part::new(format!("Part number {i}"), PartRole::Manager);
            part.position = Some(Position {
                x: crate::records::Number(f64::from(i % 16) * 40.0),
                y: crate::records::Number(f64::from(i / 16) * 40.0),
            });
            client.parts.push(part);
        }
        let mut history = crate::records::MapHistory {
            since: crate::records::Timestamp::parse("2026-04-01T09:00:00+00:00").unwrap(),
            versions: Vec::new(),
        };
        history.versions = crate::parts_history::baseline(
            &crate::parts_history::MapState::of(&client),
            &history.since,
        );
        let mut changed = client.parts[20].clone();
        changed.status = crate::records::PartStatus::Befriended;
        history.versions.push(crate::records::MapVersion {
            at: crate::records::Timestamp::parse("2026-05-01T09:00:00+00:00").unwrap(),
            record: crate::records::VersionedRecord::Part(changed.clone()),
        });
        client.parts[20] = changed;
        client.map_history = Some(history);
        let comparison = crate::parts_history::compare_maps(
            &client,
            crate::records::Date::parse("2026-04-15").unwrap(),
            crate::records::Date::parse("2026-05-15").unwrap(),
        );
        assert_eq!(comparison.changes.len(), 1);
        let svg = map_then_and_now(&comparison).unwrap();
        assert_eq!(svg.matches("class=\"map-node ").count(), 1);
        assert!(
            svg.contains("and 163 part(s) that did not change, not drawn"),
            "{svg}"
        );
        assert!(svg.contains("manager · changed"));
    }
}
