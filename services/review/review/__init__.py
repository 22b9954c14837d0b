"""Review service: the Home Affairs office (phòng Nội vụ) checks nominations and decides."""
