package regkb.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;
import org.tartarus.snowball.ext.EnglishStemmer;

/** Snowball English (Porter2): the stemmer tantivy's Stemmer("english") uses. */
@NamedComponent("regkb_english_stem")
public class EnglishStemFactory implements TokenFilterFactory {
    @Override
    public TokenStream create(TokenStream in) {
        return new SnowballFilter(in, new EnglishStemmer());
    }
}
