"""Real media files made for tests: tiny videos (with a recorded place, as phones write
it) and PDFs with or without active content."""

import tempfile
import zlib
from pathlib import Path

PLACE = "+35.0527+118.3564/"  # where the phone was: 临沂
COMMENT = "recorded-on-a-phone"


def video_bytes(fmt: str = "mp4", *, frames: int = 10, place: str = PLACE) -> bytes:
    """A few frames of MPEG-4 video in `fmt` (mp4, mov, 3gp), with the place it was
    recorded and a comment in the container's metadata where the format keeps them."""
    import av
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"clip.{fmt}"
        with av.open(str(path), "w", format=fmt) as out:
            out.metadata["location"] = place
            out.metadata["comment"] = COMMENT
            stream = out.add_stream("mpeg4", rate=10)
            stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
            for i in range(frames):
                picture = np.full((48, 64, 3), (i * 23) % 255, np.uint8)
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                for packet in stream.encode(frame):
                    out.mux(packet)
            for packet in stream.encode():
                out.mux(packet)
        return path.read_bytes()


# --- PDFs ---------------------------------------------------------------------------------

CATALOG = b"<< /Type /Catalog /Pages 2 0 R%s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"


def pdf(objects, packed=()) -> bytes:
    """A PDF with `objects` (bodies of objects 1..n; 1 the catalog, 2 the pages, 3 the
    page) written plainly and `packed` (the objects after them) compressed in an object
    stream and found through a cross-reference stream, as Acrobat and WPS write them."""
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i, body in enumerate(objects, 1):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    n = len(objects)
    packed_nums = list(range(n + 1, n + 1 + len(packed)))
    stm = None
    if packed:
        header, body = [], b""
        for num, obj in zip(packed_nums, packed, strict=True):
            header.append(b"%d %d" % (num, len(body)))
            body += obj + b"\n"
        head = b" ".join(header) + b"\n"
        data = zlib.compress(head + body)
        stm = packed_nums[-1] + 1
        offsets[stm] = len(out)
        out += (
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
            b"stream\n" % (stm, len(packed), len(head), len(data))
        )
        out += data + b"\nendstream\nendobj\n"
    xref_num = (stm or n) + 1
    start = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for i in range(1, xref_num + 1):
        if i in offsets:
            rows.append(b"\x01" + offsets[i].to_bytes(4, "big") + b"\x00\x00")
        elif i in packed_nums:
            rows.append(b"\x02" + stm.to_bytes(4, "big") + packed_nums.index(i).to_bytes(2, "big"))
        else:  # the cross-reference stream itself
            rows.append(b"\x01" + start.to_bytes(4, "big") + b"\x00\x00")
    data = b"".join(rows)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        xref_num,
        xref_num + 1,
        len(data),
    )
    out += data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start
    return bytes(out)


def plain_pdf() -> bytes:
    return pdf([CATALOG % b"", PAGES, PAGE])


# the ways a PDF carries a script or a program to run
ACTIVE_PDFS = {
    "open action with JavaScript": pdf(
        [CATALOG % b" /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>", PAGES, PAGE]
    ),
    "names escaped as #hex": pdf(
        [CATALOG % b" /OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>", PAGES, PAGE]
    ),
    "launch action": pdf(
        [CATALOG % b" /OpenAction 4 0 R", PAGES, PAGE, b"<< /S /Launch /F (cmd.exe) >>"]
    ),
    "document script in a compressed object stream": pdf(
        [CATALOG % b" /Names 4 0 R", PAGES, PAGE],
        packed=[
            b"<< /JavaScript 5 0 R >>",
            b"<< /Names [(a) 6 0 R] >>",
            b"<< /S /JavaScript /JS (app.alert\\(2\\)) >>",
        ],
    ),
    "script on a page's link": pdf(
        [
            CATALOG % b"",
            PAGES,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] "
            b"/A << /S /JavaScript /JS (this.print\\(\\)) >> >>",
        ]
    ),
}
