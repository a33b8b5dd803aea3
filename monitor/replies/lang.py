"""Which template language answers a post: en, zh (simplified) or zh_hant (traditional)."""

from __future__ import annotations

from monitor.classify import language

# Frequent characters that exist only in traditional script (their simplified forms differ).
# A cheap test rather than a full conversion table: two of them mark a post as traditional.
_TRADITIONAL = frozenset(
    "們這個會說時對來為現與後還幫請謝帳號錢幣領儲問題處狀態無證碼戶轉過給認麼從當點開關門裡應該"
    "經實業網頁電話聯繫務員資產餘額錯誤發單買賣貨價鎖訂結區塊鏈錢圖損騙詐絡線臺灣嗎顯沒"
    "讓麼標準備記詞鑰碼驗戶權風險寶礦鍵體連結統計計劃劃報壓隊種舊類讀寫導傳輸則變"
)
_MIN_TRADITIONAL = 2


def reply_language(text: str) -> str:
    """The template language for a post's (redacted) text; anything not
    Chinese is answered in English."""
    if language(text) != "zh":
        return "en"
    marks = sum(1 for ch in text if ch in _TRADITIONAL)
    return "zh_hant" if marks >= _MIN_TRADITIONAL else "zh"
