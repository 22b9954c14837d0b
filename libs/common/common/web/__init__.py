"""The staff pages every service serves: sessions, people, layout and components."""
