"""Download statistics counted as the IAB Podcast Measurement guidelines (v2.1) define them."""
