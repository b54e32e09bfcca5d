//! The byte form of a copy, as it goes into a backup file: records of a tag, a length and a body. Every
//! length is checked on reading, so a damaged file is an error, never a huge allocation.

use std::io::Read;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::*;

pub(super) const MAX_FIELD: usize = 1 << 28;
pub(super) const MAX_COLUMNS: usize = 4096;

pub(super) fn encode_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(0),
        Value::Int(i) => {
            out.push(1);
            out.extend_from_slice(&i.to_be_bytes());
        }
        Value::Real(r) => {
            out.push(2);
            out.extend_from_slice(&r.to_bits().to_be_bytes());
        }
        Value::Text(t) => {
            out.push(3);
            out.extend_from_slice(&u32_bytes(t.len()));
            out.extend_from_slice(t.as_bytes());
        }
        Value::Blob(b) => {
            out.push(4);
            out.extend_from_slice(&u32_bytes(b.len()));
            out.extend_from_slice(b);
        }
    }
}

pub(super) fn encode_json(tag: u8, value: &impl Serialize, out: &mut Vec<u8>) -> StoreResult<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| corrupt(e.to_string()))?;
    out.push(tag);
    out.extend_from_slice(&u32_bytes(bytes.len()));
    out.extend_from_slice(&bytes);
    Ok(())
}

/// Appends the byte form of `item` to `out`.
pub fn encode_item(item: &Item, out: &mut Vec<u8>) -> StoreResult<()> {
    match item {
        Item::Preface(p) => encode_json(b'P', p, out)?,
        Item::Table(t) => encode_json(b'T', t, out)?,
        Item::Rows(rows) => {
            out.push(b'R');
            out.extend_from_slice(&u32_bytes(rows.len()));
            for row in rows {
                out.extend_from_slice(&u32_bytes(row.len()));
                for value in row {
                    encode_value(value, out);
                }
            }
        }
    }
    Ok(())
}

/// Appends the byte form of the closing manifest.
pub fn encode_manifest(manifest: &Manifest, out: &mut Vec<u8>) -> StoreResult<()> {
    encode_json(b'M', manifest, out)
}

/// What travels from a dump to a load: the items, then the source's manifest, which the load checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    Item(Item),
    Manifest(Manifest),
}

/// Appends the byte form of a piece.
pub fn encode_piece(piece: &Piece, out: &mut Vec<u8>) -> StoreResult<()> {
    match piece {
        Piece::Item(item) => encode_item(item, out),
        Piece::Manifest(manifest) => encode_manifest(manifest, out),
    }
}

pub(super) fn read_exact(input: &mut impl Read, n: usize) -> StoreResult<Vec<u8>> {
    let mut bytes = vec![0; n];
    input.read_exact(&mut bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => corrupt("the copy ends in the middle of a record"),
        _ => corrupt(e.to_string()),
    })?;
    Ok(bytes)
}

pub(super) fn read_u32(input: &mut impl Read, limit: usize) -> StoreResult<usize> {
    let bytes = read_exact(input, 4)?;
    let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    if n > limit {
        return Err(corrupt("a record in the copy is larger than allowed"));
    }
    Ok(n)
}

pub(super) fn read_i64(input: &mut impl Read) -> StoreResult<[u8; 8]> {
    let bytes = read_exact(input, 8)?;
    let mut out = [0; 8];
    out.copy_from_slice(&bytes);
    Ok(out)
}

pub(super) fn decode_value(input: &mut impl Read) -> StoreResult<Value> {
    let tag = read_exact(input, 1)?[0];
    Ok(match tag {
        0 => Value::Null,
        1 => Value::Int(i64::from_be_bytes(read_i64(input)?)),
        2 => Value::Real(f64::from_bits(u64::from_be_bytes(read_i64(input)?))),
        3 => {
            let n = read_u32(input, MAX_FIELD)?;
            Value::Text(String::from_utf8(read_exact(input, n)?).map_err(|_| corrupt("text that is not UTF-8"))?)
        }
        4 => {
            let n = read_u32(input, MAX_FIELD)?;
            Value::Blob(read_exact(input, n)?)
        }
        _ => return Err(corrupt("an unknown value type in the copy")),
    })
}

pub(super) fn decode_json<T: for<'de> Deserialize<'de>>(input: &mut impl Read) -> StoreResult<T> {
    let n = read_u32(input, MAX_FIELD)?;
    serde_json::from_slice(&read_exact(input, n)?).map_err(|e| corrupt(format!("a damaged record: {e}")))
}

/// Reads the next record; `None` at a clean end of input.
pub fn decode_piece(input: &mut impl Read) -> StoreResult<Option<Piece>> {
    let mut tag = [0u8; 1];
    match input.read(&mut tag) {
        Ok(0) => return Ok(None),
        Ok(_) => {}
        Err(e) => return Err(corrupt(format!("cannot read the copy: {e}"))),
    }
    Ok(Some(match tag[0] {
        b'P' => Piece::Item(Item::Preface(decode_json(input)?)),
        b'T' => Piece::Item(Item::Table(decode_json(input)?)),
        b'M' => Piece::Manifest(decode_json(input)?),
        b'R' => {
            let count = read_u32(input, 1 << 20)?;
            let mut rows = Vec::with_capacity(count.min(BATCH));
            for _ in 0..count {
                let columns = read_u32(input, MAX_COLUMNS)?;
                let mut row = Vec::with_capacity(columns);
                for _ in 0..columns {
                    row.push(decode_value(input)?);
                }
                rows.push(row);
            }
            Piece::Item(Item::Rows(rows))
        }
        _ => return Err(corrupt("an unknown record in the copy")),
    }))
}

/// Sends the pieces of a byte stream (as written by [`encode_piece`]) to a channel for [`load`]; a damaged
/// stream sends its error, so the load rolls back. Runs on a blocking thread.
pub fn feed(mut input: impl Read, to: &mpsc::Sender<StoreResult<Piece>>) -> StoreResult<()> {
    loop {
        match decode_piece(&mut input) {
            Ok(Some(piece)) => {
                if to.blocking_send(Ok(piece)).is_err() {
                    return Ok(());
                }
            }
            Ok(None) => return Ok(()),
            Err(e) => {
                let _ = to.blocking_send(Err(corrupt(e.to_string())));
                return Err(e);
            }
        }
    }
}

/// Reads a whole copy (as written by [`encode_piece`]) and checks every table's rows against its closing
/// manifest, without writing anything; returns the preface and the manifest.
pub fn verify_copy(mut input: impl Read) -> StoreResult<(Preface, Manifest)> {
    let Some(Piece::Item(Item::Preface(preface))) = decode_piece(&mut input)? else {
        return Err(corrupt("the copy does not start with its preface"));
    };
    let mut got = Manifest::default();
    let mut current: Option<(String, TableHasher)> = None;
    loop {
        match decode_piece(&mut input)? {
            Some(Piece::Item(Item::Table(head))) => {
                if let Some((name, hasher)) = current.take() {
                    got.tables.push(hasher.finish(&name));
                }
                current = Some((head.name.clone(), TableHasher::new(head.json.clone())));
            }
            Some(Piece::Item(Item::Rows(rows))) => {
                let (_, hasher) = current.as_mut().ok_or_else(|| corrupt("rows outside a table in the copy"))?;
                for row in &rows {
                    hasher.add(row);
                }
            }
            Some(Piece::Item(Item::Preface(_))) => return Err(corrupt("a second preface in the copy")),
            Some(Piece::Manifest(manifest)) => {
                if let Some((name, hasher)) = current.take() {
                    got.tables.push(hasher.finish(&name));
                }
                if decode_piece(&mut input)?.is_some() {
                    return Err(corrupt("more after the copy's manifest"));
                }
                let listed: Vec<&String> = manifest.tables.iter().map(|t| &t.name).collect();
                if listed != preface.tables.iter().collect::<Vec<_>>() {
                    return Err(corrupt("the manifest and the preface list different tables"));
                }
                check_manifest(&manifest, &got)?;
                return Ok((preface, manifest));
            }
            None => return Err(corrupt("the copy ends before its manifest")),
        }
    }
}
