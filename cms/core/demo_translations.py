"""Thai and Vietnamese translations of the demo content, made the way translators make them.

For each page (home, story index, stories, the #igivehope campaign) a fictional translator
of that language's group fills wagtail-localize's translation memory segment by segment, as
the translation editor does, saves the draft, and submits it with "Submit translation for
review". Then the same people as for any page approve it: stories go through the story
workflow (the case worker assigned to the storyteller checks that the consent covers the
language, a safeguarding reviewer other than the translator approves with the checklist);
other pages through editorial approval. A story whose consent does not cover a language is
not translated into it (Sophea's covers English, Khmer and Thai: no Vietnamese).

The texts are ours, for the demo: a native speaker should read them before real use.
Slugs stay in English, so addresses read the same in every language.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from campaigns.models import IGiveHopePage
from cms.workflows.services import page_submit_for_moderation, page_task_act
from cms.workflows.translators import translator_group_name
from home.models import HomePage
from stories.demo import (
    demo_case_worker,
    demo_moderator,
    demo_reviewer,
    demo_staff,
    safeguarding_approve,
)
from stories.models import StoryIndexPage, StoryPage

TRANSLATIONS: dict[str, dict[str, str]] = {
    "th": {
        # Home
        "igivehope": "igivehope",
        "Fund the concrete needs of trafficking survivors, safely.": (
            "ร่วมสนับสนุนสิ่งที่ผู้รอดชีวิตจากการค้ามนุษย์ต้องการจริง ๆ อย่างปลอดภัย"
        ),
        "Fund what a survivor needs next — directly, and safely.": (
            "สนับสนุนสิ่งที่ผู้รอดชีวิตต้องการเป็นลำดับต่อไป — โดยตรงและปลอดภัย"
        ),
        "Every story here is told by a survivor of human trafficking, under a pseudonym, with "
        "their consent. Your gift pays for something concrete — a safe room, a lawyer, a "
        "ticket home, a sewing machine — and nothing here shows who or where they are.": (
            "ทุกเรื่องราวที่นี่เล่าโดยผู้รอดชีวิตจากการค้ามนุษย์ภายใต้นามแฝง ด้วยความยินยอมของพวกเขา "
            "เงินบริจาคของคุณจ่ายให้กับสิ่งที่จับต้องได้ — ห้องพักที่ปลอดภัย ทนายความ ตั๋วกลับบ้าน "
            "จักรเย็บผ้า — และไม่มีสิ่งใดที่นี่เปิดเผยว่าพวกเขาเป็นใครหรืออยู่ที่ไหน"
        ),
        # Story index
        "Stories": "เรื่องราว",
        "Each story is told by the person who lived it, under a pseudonym.": (
            "ทุกเรื่องราวเล่าโดยผู้ที่ผ่านประสบการณ์นั้นมาเอง ภายใต้นามแฝง"
        ),
        # Dao
        "A sewing machine and a new start": "จักรเย็บผ้าและการเริ่มต้นใหม่",
        "Dao spent two years in a garment workshop she was not allowed to leave. Now she "
        "wants to sew for herself.": (
            "ดาวถูกกักอยู่ในโรงงานตัดเย็บเสื้อผ้าที่เธอออกไปไหนไม่ได้นานสองปี ตอนนี้เธออยากเย็บผ้าเป็นอาชีพของตัวเอง"
        ),
        "The job offer promised a factory wage and a room. What waited was a locked workshop, "
        "sixteen-hour days and a debt that grew every month.": (
            "ข้อเสนองานสัญญาว่าจะได้ค่าจ้างแบบโรงงานและห้องพัก แต่สิ่งที่รออยู่คือโรงงานที่ถูกล็อก "
            "การทำงานวันละสิบหกชั่วโมง และหนี้ที่เพิ่มขึ้นทุกเดือน"
        ),
        "I know how to make things. I just need a machine that is mine.": (
            "ฉันทำของเป็น ฉันแค่ต้องการจักรที่เป็นของฉันเอง"
        ),
        "Dao": "ดาว",
        "After she was helped out, Dao stayed in a shelter, saw a doctor and a lawyer, and "
        "spent long evenings practising on the shelter's old machine.": (
            "หลังจากได้รับความช่วยเหลือออกมา ดาวพักอยู่ที่บ้านพักฉุกเฉิน ได้พบแพทย์และทนายความ "
            "และใช้เวลาหลายค่ำคืนฝึกเย็บผ้ากับจักรเก่าของบ้านพัก"
        ),
        "An illustration of a spool of thread on woven cloth.": "ภาพวาดหลอดด้ายบนผ้าทอ",
        "Illustration. Stories here show objects and places, never faces.": (
            "ภาพประกอบ เรื่องราวที่นี่แสดงสิ่งของและสถานที่ ไม่แสดงใบหน้า"
        ),
        "Left home for a job that did not exist.": "ออกจากบ้านไปทำงานที่ไม่มีอยู่จริง",
        "Reached a shelter and began legal proceedings.": ("มาถึงบ้านพักฉุกเฉินและเริ่มดำเนินคดีทางกฎหมาย"),
        "Finished a tailoring course with her case worker's support.": (
            "เรียนจบหลักสูตรตัดเย็บด้วยการสนับสนุนจากเจ้าหน้าที่ผู้ดูแลเธอ"
        ),
        "An industrial sewing machine": "จักรเย็บผ้าอุตสาหกรรม",
        "Three months' rent for a small stall": "ค่าเช่าแผงร้านเล็ก ๆ สามเดือน",
        # Sophea
        "The road home": "เส้นทางกลับบ้าน",
        "Sophea was recruited to work on a fishing boat's processing line. She is ready to go "
        "home and finish school.": (
            "โสเพียถูกชักชวนไปทำงานในสายการแปรรูปบนเรือประมง ตอนนี้เธอพร้อมจะกลับบ้านและเรียนให้จบ"
        ),
        "For a year Sophea worked on a processing line without pay, told that her wages were "
        "held against the cost of her journey.": (
            "โสเพียทำงานในสายการแปรรูปหนึ่งปีโดยไม่ได้รับค่าจ้าง และถูกบอกว่าค่าจ้างของเธอถูกหักไว้เป็นค่าเดินทาง"
        ),
        "My mother kept my school uniform. I want to wear it again.": (
            "แม่ยังเก็บชุดนักเรียนของฉันไว้ ฉันอยากใส่มันอีกครั้ง"
        ),
        "Sophea": "โสเพีย",
        "She wants to finish secondary school and train as a nurse.": (
            "เธออยากเรียนให้จบชั้นมัธยมและฝึกเป็นพยาบาล"
        ),
        "Recruited with a promise of factory work.": "ถูกชักชวนด้วยคำสัญญาว่าจะได้ทำงานในโรงงาน",
        "Identified as a victim and referred for support.": (
            "ได้รับการคัดแยกว่าเป็นผู้เสียหายและถูกส่งต่อเพื่อรับความช่วยเหลือ"
        ),
        "The journey home, with an escort": "การเดินทางกลับบ้านพร้อมผู้ดูแล",
        "A year of school fees and books": "ค่าเล่าเรียนและหนังสือหนึ่งปี",
        # Thida
        "Recovering what she earned": "ทวงคืนค่าแรงที่เธอหามาได้",
        "Thida was a domestic worker whose passport was taken. A lawyer can help her recover "
        "two years of wages.": ("ธิดาเป็นแม่บ้านที่ถูกยึดหนังสือเดินทางไป ทนายความช่วยเธอทวงค่าจ้างสองปีคืนมาได้"),
        "Thida cooked and cleaned for a household for two years, never paid and never allowed "
        "to keep her own documents.": (
            "ธิดาทำอาหารและทำความสะอาดให้ครอบครัวหนึ่งนานสองปี "
            "โดยไม่เคยได้รับค่าจ้างและไม่เคยได้เก็บเอกสารของตัวเอง"
        ),
        "I want my children to know their mother was paid for her work.": (
            "ฉันอยากให้ลูก ๆ รู้ว่าแม่ของพวกเขาได้รับค่าจ้างจากงานที่ทำ"
        ),
        "Thida": "ธิดา",
        "Began work abroad.": "เริ่มทำงานในต่างประเทศ",
        "Reached safety.": "ได้อยู่ในที่ปลอดภัย",
        "A lawyer for the wage claim": "ทนายความสำหรับการเรียกร้องค่าจ้าง",
        "Her documents are back": "เธอได้เอกสารคืนแล้ว",
        "With a lawyer's help, Thida has her passport again.": (
            "ด้วยความช่วยเหลือของทนายความ ธิดาได้หนังสือเดินทางคืนแล้ว"
        ),
        # #igivehope
        "#igivehope: one moment of hope": "#igivehope: หนึ่งช่วงเวลาแห่งความหวัง",
        "Join the #igivehope moment on 30 July.": "ร่วมช่วงเวลา #igivehope ในวันที่ 30 กรกฎาคม",
        "On the World Day against Trafficking in Persons, thousands of us share one message of "
        "hope at the same moment.": (
            "ในวันต่อต้านการค้ามนุษย์โลก พวกเราหลายพันคนร่วมกันส่งข้อความแห่งความหวังในช่วงเวลาเดียวกัน"
        ),
        "I stand with survivors of trafficking.": "ฉันยืนเคียงข้างผู้รอดชีวิตจากการค้ามนุษย์",
        "Join me on 30 July.": "มาร่วมกับฉันในวันที่ 30 กรกฎาคม",
        "Today I stand with survivors of human trafficking.": ("วันนี้ฉันยืนเคียงข้างผู้รอดชีวิตจากการค้ามนุษย์"),
        "We did not reach enough supporters for one shared moment this time. Thank you for "
        "standing with survivors: your gift still helps.": (
            "ครั้งนี้เรามีผู้สนับสนุนไม่มากพอสำหรับช่วงเวลาร่วมกัน ขอบคุณที่ยืนเคียงข้างผู้รอดชีวิต เงินบริจาคของคุณยังคงช่วยได้"
        ),
    },
    "vi": {
        # Home
        "igivehope": "igivehope",
        "Fund the concrete needs of trafficking survivors, safely.": (
            "Hỗ trợ những nhu cầu cụ thể của người sống sót sau nạn mua bán người, an toàn."
        ),
        "Fund what a survivor needs next — directly, and safely.": (
            "Hỗ trợ điều một người sống sót cần tiếp theo — trực tiếp và an toàn."
        ),
        "Every story here is told by a survivor of human trafficking, under a pseudonym, with "
        "their consent. Your gift pays for something concrete — a safe room, a lawyer, a "
        "ticket home, a sewing machine — and nothing here shows who or where they are.": (
            "Mỗi câu chuyện ở đây do một người sống sót sau nạn mua bán người kể lại, dưới một "
            "bí danh và với sự đồng ý của họ. Món quà của bạn chi trả cho một điều cụ thể — một "
            "căn phòng an toàn, một luật sư, một vé về nhà, một chiếc máy may — và không có gì "
            "ở đây cho biết họ là ai hay đang ở đâu."
        ),
        # Story index
        "Stories": "Câu chuyện",
        "Each story is told by the person who lived it, under a pseudonym.": (
            "Mỗi câu chuyện do chính người đã trải qua kể lại, dưới một bí danh."
        ),
        # Dao
        "A sewing machine and a new start": "Một chiếc máy may và một khởi đầu mới",
        "Dao spent two years in a garment workshop she was not allowed to leave. Now she "
        "wants to sew for herself.": (
            "Dao đã trải qua hai năm trong một xưởng may mà cô không được phép rời đi. "
            "Giờ cô muốn may cho chính mình."
        ),
        "The job offer promised a factory wage and a room. What waited was a locked workshop, "
        "sixteen-hour days and a debt that grew every month.": (
            "Lời mời làm việc hứa hẹn lương nhà máy và một chỗ ở. Điều chờ đợi cô là một xưởng "
            "bị khóa cửa, những ngày làm việc mười sáu tiếng và một khoản nợ tăng lên mỗi tháng."
        ),
        "I know how to make things. I just need a machine that is mine.": (
            "Tôi biết làm ra đồ vật. Tôi chỉ cần một chiếc máy của riêng mình."
        ),
        "Dao": "Dao",
        "After she was helped out, Dao stayed in a shelter, saw a doctor and a lawyer, and "
        "spent long evenings practising on the shelter's old machine.": (
            "Sau khi được giúp thoát ra, Dao ở tại một nhà tạm lánh, được gặp bác sĩ và luật "
            "sư, và dành nhiều buổi tối tập may trên chiếc máy cũ của nhà tạm lánh."
        ),
        "An illustration of a spool of thread on woven cloth.": (
            "Hình minh họa một cuộn chỉ trên tấm vải dệt."
        ),
        "Illustration. Stories here show objects and places, never faces.": (
            "Hình minh họa. Các câu chuyện ở đây chỉ cho thấy đồ vật và nơi chốn, "
            "không bao giờ có khuôn mặt."
        ),
        "Left home for a job that did not exist.": "Rời nhà đi làm một công việc không có thật.",
        "Reached a shelter and began legal proceedings.": (
            "Đến được nhà tạm lánh và bắt đầu thủ tục pháp lý."
        ),
        "Finished a tailoring course with her case worker's support.": (
            "Hoàn thành khóa học may với sự hỗ trợ của nhân viên phụ trách."
        ),
        "An industrial sewing machine": "Một chiếc máy may công nghiệp",
        "Three months' rent for a small stall": "Tiền thuê một sạp hàng nhỏ trong ba tháng",
        # Thida (Sophea's consent does not cover Vietnamese)
        "Recovering what she earned": "Đòi lại những gì cô đã làm ra",
        "Thida was a domestic worker whose passport was taken. A lawyer can help her recover "
        "two years of wages.": (
            "Thida là người giúp việc gia đình bị lấy mất hộ chiếu. Một luật sư có thể giúp cô "
            "đòi lại tiền lương của hai năm."
        ),
        "Thida cooked and cleaned for a household for two years, never paid and never allowed "
        "to keep her own documents.": (
            "Thida nấu ăn và dọn dẹp cho một gia đình suốt hai năm, không bao giờ được trả "
            "lương và không bao giờ được giữ giấy tờ của chính mình."
        ),
        "I want my children to know their mother was paid for her work.": (
            "Tôi muốn các con biết rằng mẹ của chúng đã được trả công cho sức lao động của mình."
        ),
        "Thida": "Thida",
        "Began work abroad.": "Bắt đầu làm việc ở nước ngoài.",
        "Reached safety.": "Đã đến nơi an toàn.",
        "A lawyer for the wage claim": "Một luật sư cho vụ đòi lương",
        "Her documents are back": "Cô đã lấy lại giấy tờ",
        "With a lawyer's help, Thida has her passport again.": (
            "Nhờ luật sư giúp đỡ, Thida đã lấy lại được hộ chiếu."
        ),
        # #igivehope
        "#igivehope: one moment of hope": "#igivehope: một khoảnh khắc hy vọng",
        "Join the #igivehope moment on 30 July.": (
            "Tham gia khoảnh khắc #igivehope vào ngày 30 tháng 7."
        ),
        "On the World Day against Trafficking in Persons, thousands of us share one message of "
        "hope at the same moment.": (
            "Vào Ngày Thế giới phòng, chống mua bán người, hàng nghìn người chúng ta cùng chia "
            "sẻ một thông điệp hy vọng vào cùng một thời điểm."
        ),
        "I stand with survivors of trafficking.": (
            "Tôi đứng về phía những người sống sót sau nạn mua bán người."
        ),
        "Join me on 30 July.": "Hãy cùng tôi tham gia vào ngày 30 tháng 7.",
        "Today I stand with survivors of human trafficking.": (
            "Hôm nay tôi đứng về phía những người sống sót sau nạn mua bán người."
        ),
        "We did not reach enough supporters for one shared moment this time. Thank you for "
        "standing with survivors: your gift still helps.": (
            "Lần này chúng ta chưa có đủ người ủng hộ cho một khoảnh khắc chung. Cảm ơn bạn đã "
            "đứng về phía những người sống sót: món quà của bạn vẫn giúp ích."
        ),
    },
}


def _memory_fill(source: TranslationSource, locale: Locale, texts: dict[str, str], by) -> None:
    """Translate every segment, as a translator does in wagtail-localize's editor."""
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = segment.string.data
        translated = text if segment.context.path == "slug" else texts.get(text)
        if translated is None:
            raise KeyError(f"No {locale.language_code} demo translation for {text!r}")
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={
                "data": translated,
                "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                "last_translated_by": by,
            },
        )


def _draft_save(page: Page, locale: Locale, *, by) -> Page:
    """Fill the translation memory and save the translated draft (never published here)."""
    source, _ = TranslationSource.update_or_create_from_instance(page)
    translation, _ = Translation.objects.get_or_create(source=source, target_locale=locale)
    _memory_fill(source, locale, TRANSLATIONS[locale.language_code], by)
    translation.save_target(user=by, publish=False)
    return page.get_translation(locale).specific


def _pages_to_translate(home_page: HomePage, language_code: str) -> list[Page]:
    """Parents before children: the home page, the story index, the stories whose consent
    covers the language, the campaign."""
    index = StoryIndexPage.objects.child_of(home_page).live().first()
    stories = [
        story
        for story in StoryPage.objects.child_of(index).live().select_related("storyteller")
        if (consent := story.storyteller.current_consent) and language_code in consent.languages
    ]
    campaigns = list(IGiveHopePage.objects.child_of(home_page).live())
    return [home_page, index, *stories, *campaigns]


@transaction.atomic
def demo_translations_ensure(home_page: HomePage) -> dict[str, int]:
    """Translate the live demo pages into Thai and Vietnamese (those configured), through the
    review every translation needs. Returns the pages translated per language this time;
    a page that already has a translation is left alone."""
    configured = {code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES}
    people = {
        "case_worker": demo_case_worker(),
        "reviewer": demo_reviewer(),
        "moderator": demo_moderator(),
    }
    counts = {}
    for code in [code for code in TRANSLATIONS if code in configured]:
        locale = Locale.objects.get(language_code=code)
        translator = demo_staff(
            f"demo-translator-{code}", translator_group_name(code), "Translator"
        )
        drafts = [
            _draft_save(page, locale, by=translator)
            for page in _pages_to_translate(home_page, code)
            if not page.has_translation(locale)
        ]
        if drafts and isinstance(drafts[0], HomePage):
            # The home page's current campaign is a page reference: translated once the
            # campaign's translation exists (wagtail-localize keeps the source's until then).
            drafts[0] = _draft_save(home_page, locale, by=translator)
        for draft in drafts:
            _review(draft, translator=translator, **people)
        counts[code] = len(drafts)
    return counts


def _review(page: Page, *, translator, case_worker, reviewer, moderator) -> None:
    """Submitted for review by its translator, approved by the people who approve any page."""
    page_submit_for_moderation(page=page, by=translator)
    if isinstance(page, StoryPage):
        page_task_act(page=page, by=case_worker)
        safeguarding_approve(page, by=reviewer)
    else:
        page_task_act(page=page, by=moderator)
