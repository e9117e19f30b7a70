# Vietnamese without Django's leading "Ngày" (our strings already say "Ngày: …"):
# "30 tháng 7 năm 2027". Letters that are format codes are escaped.
DATE_FORMAT = r"j \t\há\n\g n \nă\m Y"
DATETIME_FORMAT = r"H:i, j \t\há\n\g n \nă\m Y"
