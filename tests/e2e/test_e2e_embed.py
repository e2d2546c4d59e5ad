"""Another site frames the player: the page loads and its audio plays from our server."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from webapp import services

from factories import make_episode, make_show


def test_embed_plays_in_an_iframe_on_another_origin(app, live_server, browser, long_mp3):
    make_show(app)
    key = services.storage(app).put_bytes(long_mp3.read_bytes(), ".mp3").key
    size = long_mp3.stat().st_size
    make_episode(
        app,
        title="Browser talk",
        media=[{"kind": "audio", "storage_key": key, "mime_type": "audio/mpeg", "size": size}],
    )
    host_page = (
        "<!doctype html><title>A blog</title><h1>A blog post</h1>"
        f'<iframe id="player" src="{live_server}/embed/talks/browser-talk" '
        'width="560" height="180"></iframe>'
    ).encode()

    class Blog(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(host_page)

        def log_message(self, *args: object) -> None:
            pass

    blog = ThreadingHTTPServer(("127.0.0.1", 0), Blog)
    threading.Thread(target=blog.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        # localhost and 127.0.0.1 are two origins: the blog is "another site".
        page.goto(f"http://localhost:{blog.server_port}/")
        frame = page.frame_locator("#player")
        assert frame.locator(".embed-title").inner_text() == "Browser talk"
        duration = frame.locator("audio").evaluate(
            """async (audio) => {
                audio.preload = "metadata";
                audio.load();
                await new Promise((done, failed) => {
                    audio.addEventListener("loadedmetadata", done, {once: true});
                    audio.addEventListener("error", () => failed(audio.error), {once: true});
                });
                return audio.duration;
            }"""
        )
        assert 89 < duration < 91  # the 90 s talk, fetched from our server
    finally:
        blog.shutdown()
