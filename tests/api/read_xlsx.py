#!/usr/bin/python3
"""Reads the first sheet of an .xlsx file with the standard library only and prints
it as JSON: {"sheets": [...], "rows": [[cell, ...], ...], "formats": {"B2": "#,##0"}}.
Used by the API test to open the downloads it gets back (zip + sheet XML)."""
import json
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def main(path):
    with zipfile.ZipFile(path) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        sheets = [s.get("name") for s in workbook.find("m:sheets", NS)]
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        styles = ET.fromstring(z.read("xl/styles.xml"))
        numfmts = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter("{%s}numFmt" % NS["m"])}
        xfs = [int(x.get("numFmtId", 0)) for x in styles.find("m:cellXfs", NS)]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        rows, formats = [], {}
        for row in sheet.find("m:sheetData", NS):
            cells = []
            for c in row:
                i = col_index(c.get("r"))
                while len(cells) < i:
                    cells.append(None)
                v = c.find("m:v", NS)
                if c.get("t") == "s":
                    value = shared[int(v.text)]
                elif c.get("t") == "inlineStr":
                    value = "".join(t.text or "" for t in c.iter("{%s}t" % NS["m"]))
                elif v is not None:
                    value = float(v.text)
                    if value.is_integer():
                        value = int(value)
                else:
                    value = None
                cells.append(value)
                style = int(c.get("s", 0))
                if style < len(xfs) and xfs[style] in numfmts:
                    formats[c.get("r")] = numfmts[xfs[style]]
                elif style < len(xfs) and xfs[style] == 10:
                    formats[c.get("r")] = "0.00%"
                elif style < len(xfs) and xfs[style] == 3:
                    formats[c.get("r")] = "#,##0"
            rows.append(cells)
    print(json.dumps({"sheets": sheets, "rows": rows, "formats": formats}))


if __name__ == "__main__":
    main(sys.argv[1])
